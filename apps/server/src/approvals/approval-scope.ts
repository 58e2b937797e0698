/**
 * What a caller of the integrations API may act on, as pure functions of who it is: the operator's API_TOKEN
 * names any portal in the body; a portal API key acts on its own portal only.
 */
import { AppError } from '@b24app/core';
import type { ApiCaller } from '../http/integration-auth.js';
import type { CreateApprovalInput, createApprovalSchema } from './approval.schemas.js';
import type { z } from 'zod';

/** The create's input for this caller, or a 400 (operator without memberId) / 403 (a key naming another portal). */
export function createInputFor(caller: ApiCaller, body: z.infer<typeof createApprovalSchema>): CreateApprovalInput {
  if (caller.kind === 'operator') {
    if (!body.memberId) {
      const message = "required with the operator's API_TOKEN (a portal API key names its portal itself)";
      throw new AppError('VALIDATION_FAILED', `approval is invalid: memberId: ${message}`, {
        details: [{ path: 'memberId', message }],
      });
    }
    return { ...body, memberId: body.memberId, apiKeyId: null };
  }
  if (body.memberId && body.memberId.toLowerCase() !== caller.memberId) {
    throw new AppError('PORTAL_MISMATCH', 'this API key acts on its own portal only: memberId names another portal');
  }
  return { ...body, memberId: caller.memberId, apiKeyId: caller.keyId };
}

/** Which approvals a caller may read: a key, its portal's only (another portal's approval is a 404). */
export const readScopeOf = (caller: ApiCaller): { portalId?: string } =>
  caller.kind === 'portal-key' ? { portalId: caller.portalId } : {};
