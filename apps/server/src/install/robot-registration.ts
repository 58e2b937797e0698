import type { Logger } from '@b24app/core';
import type { RestCaller } from './event-bindings.js';

/** The robot's code (docs/contract.md "The `request_approval` robot"). */
export const REQUEST_APPROVAL_ROBOT = 'request_approval';

const DYNAMIC_DOCUMENT = 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic';

/**
 * bizproc.robot.add's fields of the `request_approval` robot (without CODE): it creates an approval on the CRM item
 * it runs on and waits (USE_SUBSCRIPTION) for bizproc.event.send with the decision. Offered on leads, deals,
 * contacts, companies and smart processes (FILTER), as the robot handler maps exactly those documents.
 */
export function requestApprovalRobot(handlerUrl: string, authUserId: number | null): Record<string, unknown> {
  return {
    HANDLER: handlerUrl,
    ...(authUserId ? { AUTH_USER_ID: authUserId } : {}),
    USE_SUBSCRIPTION: 'Y',
    NAME: { en: 'Request approval', ru: 'Запросить согласование' },
    DESCRIPTION: {
      en: 'Adds an approval request to the item’s timeline and waits for the approver’s decision',
      ru: 'Добавляет запрос на согласование в таймлайн элемента и ждёт решения согласующего',
    },
    PROPERTIES: {
      title: { Name: { en: 'Title', ru: 'Название' }, Type: 'string', Required: 'Y', Multiple: 'N' },
      description: { Name: { en: 'Description', ru: 'Описание' }, Type: 'text', Required: 'N', Multiple: 'N' },
      approver: { Name: { en: 'Approver', ru: 'Согласующий' }, Type: 'user', Required: 'Y', Multiple: 'N' },
      deadline: { Name: { en: 'Deadline', ru: 'Крайний срок' }, Type: 'datetime', Required: 'N', Multiple: 'N' },
    },
    RETURN_PROPERTIES: {
      decision: {
        Name: { en: 'Decision', ru: 'Решение' },
        Type: 'select',
        Options: { approved: 'Approved', rejected: 'Rejected' },
      },
      decidedBy: { Name: { en: 'Decided by', ru: 'Кто принял решение' }, Type: 'user' },
      comment: { Name: { en: 'Comment', ru: 'Комментарий' }, Type: 'text' },
    },
    FILTER: {
      INCLUDE: [
        ['crm', 'CCrmDocumentLead'],
        ['crm', 'CCrmDocumentDeal'],
        ['crm', 'CCrmDocumentContact'],
        ['crm', 'CCrmDocumentCompany'],
        ['crm', DYNAMIC_DOCUMENT],
      ],
    },
  };
}

const codeOf = (e: unknown): string | undefined => (e as { b24Code?: string }).b24Code;

/**
 * Makes the portal's robots of our app exactly ours: `request_approval` added when missing and updated in place
 * when present (bizproc.robot.list names codes only, so what is stored cannot be compared: the update is
 * idempotent and costs one call per install or update), and any other robot of ours (an obsolete code) deleted.
 * Safe to run concurrently and repeatedly: an add that lost a race becomes an update.
 */
export async function reconcileRobots(
  client: RestCaller,
  opts: { handlerUrl: string; authUserId: number | null; logger: Logger },
): Promise<{ added: string[]; updated: string[]; deleted: string[] }> {
  const wanted = new Map([[REQUEST_APPROVAL_ROBOT, requestApprovalRobot(opts.handlerUrl, opts.authUserId)]]);
  const listed = (await client.call<unknown>('bizproc.robot.list')) ?? [];
  const installed = new Set(Array.isArray(listed) ? listed.map(String) : Object.values(listed as object).map(String));
  const added: string[] = [];
  const updated: string[] = [];
  const deleted: string[] = [];

  for (const [code, fields] of wanted) {
    if (!installed.has(code)) {
      try {
        await client.call('bizproc.robot.add', { CODE: code, ...fields });
        added.push(code);
        continue;
      } catch (e) {
        // Another process added it between our list and this call.
        if (codeOf(e) !== 'ERROR_ACTIVITY_ALREADY_INSTALLED') throw e;
      }
    }
    await client.call('bizproc.robot.update', { CODE: code, FIELDS: fields });
    updated.push(code);
  }
  for (const code of installed) {
    if (wanted.has(code)) continue;
    try {
      await client.call('bizproc.robot.delete', { CODE: code });
      deleted.push(code);
    } catch (e) {
      if (codeOf(e) !== 'ERROR_ACTIVITY_NOT_FOUND') throw e;
    }
  }
  opts.logger.info({ added, updated, deleted }, 'robots reconciled');
  return { added, updated, deleted };
}

/**
 * reconcileRobots for an install: a portal whose grant lacks the `bizproc` scope (an install from before the app
 * asked for it) gets no robot and a warning instead of a failed install; any other failure fails it, like the
 * event bindings.
 */
export async function reconcileRobotsUnlessUnscoped(
  client: RestCaller,
  opts: { handlerUrl: string; authUserId: number | null; logger: Logger },
): Promise<void> {
  try {
    await reconcileRobots(client, opts);
  } catch (e) {
    if (codeOf(e) !== 'insufficient_scope') throw e;
    opts.logger.warn('robots not registered: the app has no bizproc scope on this portal');
  }
}
