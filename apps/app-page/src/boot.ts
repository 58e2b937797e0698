/** The data the server put into the page (`#app-boot`): the session and who is asking, proven by Bitrix24. */
export interface Boot {
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
    | { name: 'request'; ownerTypeId: number; ownerId: number };
}

export function readBoot(): Boot | null {
  const el = document.getElementById('app-boot');
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as Boot;
  } catch {
    return null;
  }
}
