import type { Notification, Portal } from '../state/model.js';
import { esc, safeHref } from './html.js';

// The notifications of the user the page is viewed as (im.notify.*), as Bitrix24's bell shows them: newest
// first, the sender (an app for system notifications), the text with its BB-codes rendered.

/** BB-codes of notification texts: [url=…]…[/url], [url]…[/url], [b] [i] [u] [s], [br] and newlines. */
export function bbCodeToHtml(text: string): string {
  return esc(text)
    .replace(
      /\[url=([^\]]+)\]([\s\S]*?)\[\/url\]/gi,
      (_m, href: string, label: string) => `<a href="${safeHref(href)}" target="_top">${label}</a>`,
    )
    .replace(
      /\[url\]([\s\S]*?)\[\/url\]/gi,
      (_m, href: string) => `<a href="${safeHref(href)}" target="_top">${href}</a>`,
    )
    .replace(
      /\[(b|i|u|s)\]([\s\S]*?)\[\/\1\]/gi,
      (_m, tag: string, inner: string) => `<${tag.toLowerCase()}>${inner}</${tag.toLowerCase()}>`,
    )
    .replace(/\[br\]|\n/gi, '<br>');
}

function sender(portal: Portal, n: Notification, appName: (clientId: string) => string): string {
  if (n.kind === 'personal') {
    const u = n.fromUserId === null ? undefined : portal.users.get(n.fromUserId);
    return u ? `${u.name} ${u.lastName}`.trim() : `user ${n.fromUserId}`;
  }
  return n.clientId ? appName(n.clientId) : 'System';
}

/** A bell drawn inline (no emoji font needed). */
const BELL =
  '<svg class="notif-bell" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"/></svg>';

export function notificationsPanel(portal: Portal, userId: number, appName: (clientId: string) => string): string {
  const mine = portal.notifications.filter((n) => n.userId === userId).sort((a, b) => b.id - a.id);
  const items = mine
    .map(
      (n) =>
        `<li class="notif-item" data-testid="notification" data-kind="${n.kind}"><div class="notif-head"><b>${esc(
          sender(portal, n, appName),
        )}</b> <span class="muted">${new Date(n.at).toISOString().slice(0, 16).replace('T', ' ')}</span></div><div class="notif-text">${bbCodeToHtml(n.message)}</div></li>`,
    )
    .join('');
  return `<details class="notifications" data-testid="notifications"${mine.length ? ' open' : ''}><summary>${BELL} Notifications <span class="notif-count" data-testid="notification-count">${mine.length}</span></summary><ul class="notif-list">${
    items || '<li class="muted">No notifications</li>'
  }</ul></details>`;
}
