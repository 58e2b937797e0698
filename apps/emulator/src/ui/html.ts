// Tiny HTML helpers for the server-rendered UI: escaping and the page shell.

export function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Only http(s) and relative URLs end up in an href. */
export function safeHref(uri: string): string {
  if (/^https?:\/\//i.test(uri) || uri.startsWith('/')) return uri;
  return '#';
}

export function page(title: string, body: string, o: { script?: boolean; refreshSec?: number } = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Bitrix24 emulator</title>
${o.refreshSec ? `<meta http-equiv="refresh" content="${o.refreshSec}">` : ''}
<link rel="stylesheet" href="/assets/emulator-ui.css">
</head><body>
<nav class="top"><a href="/">Bitrix24 emulator</a><a href="/ui/log">Log</a></nav>
<main>${body}</main>
${o.script === false ? '' : '<script src="/assets/emulator-ui.js"></script><script src="/assets/frame-parent.js"></script>'}
</body></html>`;
}
