import type { MethodDef } from '../method-types.js';
import { requireApp } from '../method-types.js';
import { RestError } from '../rest-error.js';

// `app.info` on the portal: the caller app's card on this portal.

export function licenseOf(plan: 'standard' | 'enterprise', lang: string) {
  return plan === 'enterprise'
    ? { LICENSE: `${lang}_ent250`, LICENSE_TYPE: 'ent250', LICENSE_FAMILY: 'ent' }
    : { LICENSE: `${lang}_project`, LICENSE_TYPE: 'project', LICENSE_FAMILY: 'project' };
}

export const appMethods: MethodDef[] = [
  {
    name: 'app.info',
    scopes: null,
    handler({ portal, auth }) {
      const { app, installation } = requireApp(
        auth,
        () => new RestError('ACCESS_DENIED', 'Access denied! Application context required', 400),
      );
      return {
        result: {
          ID: app.id,
          CODE: app.clientId,
          VERSION: app.version,
          STATUS: app.status,
          INSTALLED: installation.installed,
          PAYMENT_EXPIRED: 'N',
          DAYS: null,
          LANGUAGE_ID: portal.lang,
          ...licenseOf(portal.plan, portal.lang),
        },
      };
    },
  },
];
