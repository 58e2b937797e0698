/**
 * The HTML of the app page: the built front end's index.html (hashed asset names, from `npm run build`) with
 * the page's boot data put in as inert JSON, and the refusal page for everyone Bitrix24 did not vouch for.
 * Pure string work; the template is read once by the caller.
 */
import { readFileSync } from 'node:fs';

export interface BootData {
  session: string;
  sessionExpiresAt: number;
  user: { id: number; name: string; admin: boolean };
  portal: { domain: string; memberId: string };
  lang: 'en' | 'ru';
  placement: string;
  view:
    | { name: 'home' }
    | { name: 'about' }
    | { name: 'details'; approvalId?: string; activityId?: number; decide?: 'reject' }
    /** "Request approval" on a CRM item (its CRM_XXX_DETAIL_ACTIVITY placement). */
    | { name: 'request'; ownerTypeId: number; ownerId: number };
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** JSON inside <script>: nothing in it may close the element or open a comment. */
const inertJson = (v: unknown) =>
  JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

export function loadPageTemplate(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function renderAppPage(template: string | null, boot: BootData): string {
  const data = `<script id="app-boot" type="application/json">${inertJson(boot)}</script>`;
  if (!template) {
    // Front end not built (`npm run build`): the API still works; say so instead of a blank frame.
    return `<!doctype html><html lang="${boot.lang}"><head><meta charset="utf-8"><title>Approvals</title>${data}</head><body><p>The app page is not built on this server (run npm run build).</p></body></html>`;
  }
  return template.replace('<html lang="en">', `<html lang="${boot.lang}">`).replace('</head>', `${data}</head>`);
}

const REFUSAL_TEXT = {
  en: { title: 'Access refused', reopen: 'Open the app again from your Bitrix24 portal.' },
  ru: { title: 'Доступ запрещён', reopen: 'Откройте приложение заново из вашего портала Битрикс24.' },
};

export function renderRefusalPage(lang: 'en' | 'ru', message: string): string {
  const t = REFUSAL_TEXT[lang];
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(t.title)}</title>
<style>body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#333;background:#f5f7f8;margin:0;padding:32px}main{max-width:560px;margin:0 auto;background:#fff;border-radius:12px;padding:24px 28px;box-shadow:0 1px 3px rgba(0,0,0,.08)}h1{font-size:20px;margin:0 0 8px;color:#a02020}</style></head>
<body><main role="alert"><h1>${esc(t.title)}</h1><p>${esc(message)}</p><p>${esc(t.reopen)}</p></main></body></html>`;
}
