import type { ClickRecord } from '@b24app/db';

/** The longest comment a decision keeps (the app page's form allows as much). */
export const MAX_DECISION_COMMENT = 2000;

/**
 * The comment a decision carries. Only a decision made on the app page has one: the server put it in the row's
 * params from the page's form. A restEvent's actionParams come from the card (and anyone holding the application
 * token can write them), so a delivery's `comment` param is ignored.
 */
export function decisionCommentOf(event: Pick<ClickRecord, 'source' | 'params'>): string | null {
  if (event.source !== 'APP_PAGE') return null;
  const params = event.params as Record<string, unknown> | null;
  const raw = typeof params?.comment === 'string' ? params.comment.trim() : '';
  return raw ? raw.slice(0, MAX_DECISION_COMMENT) : null;
}
