import { validateBadge } from '@b24app/layout';
import type { Badge } from '../../state/model.js';
import type { MethodCall, MethodDef } from '../method-types.js';
import { RestError, restErrors } from '../rest-error.js';

// crm.activity.badge.add / list / get / delete (D7 controller, errors are 400). Badges are portal-wide;
// add and delete need CRM admin rights. Adding an existing code replaces it (❓ unconfirmed on the portal).

const REQUIRED = ['code', 'title', 'value', 'type'] as const;

function missing(name: string): RestError {
  return new RestError('REQUIRED_ARG_MISSING', `Required argument "${name}" is missing`, 400);
}

function requireAdmin(call: MethodCall): void {
  if (!call.auth.user.admin) throw restErrors.accessDenied();
}

function view(b: Badge) {
  return { code: b.code, title: b.title, value: b.value, type: b.type };
}

function requireCode(call: MethodCall): string {
  const code = call.params.code;
  if (code === undefined || code === '') throw missing('code');
  return String(code);
}

export const badgeMethods: MethodDef[] = [
  {
    name: 'crm.activity.badge.add',
    scopes: ['crm'],
    handler(call) {
      requireAdmin(call);
      for (const name of REQUIRED) if (call.params[name] === undefined || call.params[name] === '') throw missing(name);
      const input = Object.fromEntries(REQUIRED.map((k) => [k, call.params[k]]));
      const parsed = validateBadge(input);
      if (!parsed.ok) {
        const issue = parsed.issues[0];
        throw new RestError(
          issue?.code ?? 'WRONG_FIELD_VALUE',
          issue ? `${issue.path}: ${issue.message}` : 'Incorrect field value',
          400,
        );
      }
      const badge: Badge = { ...parsed.value, addedAt: call.ctx.now() };
      call.portal.badges.set(badge.code, badge);
      return { result: { badge: view(badge) } };
    },
  },
  {
    name: 'crm.activity.badge.list',
    scopes: ['crm'],
    handler: ({ portal }) => ({ result: { badges: [...portal.badges.values()].map(view) } }),
  },
  {
    name: 'crm.activity.badge.get',
    scopes: ['crm'],
    handler(call) {
      const badge = call.portal.badges.get(requireCode(call));
      if (!badge) throw new RestError('NOT_FOUND', 'Not found.', 400);
      return { result: { badge: view(badge) } };
    },
  },
  {
    name: 'crm.activity.badge.delete',
    scopes: ['crm'],
    handler(call) {
      requireAdmin(call);
      const code = requireCode(call);
      if (!call.portal.badges.delete(code)) throw new RestError('NOT_FOUND', 'Not found.', 400);
      return { result: true };
    },
  },
];
