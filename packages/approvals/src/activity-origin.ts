/**
 * How our activities are marked on the portal: `originatorId` is the app, `originId` the approval's id. The
 * server finds the activity of a lost-answer add by it; the worker recognises a click on an activity whose add
 * has not stored its id yet.
 */
export const ORIGINATOR_ID = 'b24-approvals';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The approval id an activity's fields name as its origin, when the activity is one of ours. */
export function approvalIdOfActivity(
  fields: { originatorId?: unknown; originId?: unknown } | undefined,
): string | null {
  if (!fields || fields.originatorId !== ORIGINATOR_ID || typeof fields.originId !== 'string') return null;
  return UUID.test(fields.originId) ? fields.originId : null;
}
