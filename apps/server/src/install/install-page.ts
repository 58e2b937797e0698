/** The HTML the install frame shows. It calls BX24.installFinish() only when the install succeeded. */
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderInstallPage(opts: { ok: boolean; message: string; bx24Url: string }): string {
  const script = opts.ok
    ? `<script src="${escapeHtml(opts.bx24Url)}"></script>
<script>BX24.init(function () { BX24.installFinish(); });</script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Approvals: installation</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem;color:#333}.ok{color:#2a7d2e}.err{color:#b3261e}</style>
</head><body>
<h1>Approvals for Bitrix24</h1>
<p class="${opts.ok ? 'ok' : 'err'}">${escapeHtml(opts.message)}</p>
${script}
</body></html>`;
}
