import { SYSTEM_ICONS, SYSTEM_LOGOS } from '@b24app/layout';
import type { MethodDef } from '../method-types.js';

// crm.timeline.icon.list / crm.timeline.logo.list: the system catalogs (no custom icons on the emulated portal).

export const timelineCatalogMethods: MethodDef[] = [
  {
    name: 'crm.timeline.icon.list',
    scopes: ['crm'],
    handler: () => ({
      result: { icons: SYSTEM_ICONS.map((code) => ({ code, isSystem: true, fileUri: '' })) },
      total: SYSTEM_ICONS.length,
    }),
  },
  {
    name: 'crm.timeline.logo.list',
    scopes: ['crm'],
    handler: () => ({
      result: { logos: SYSTEM_LOGOS.map((code) => ({ code, isSystem: true, fileUri: '' })) },
      total: SYSTEM_LOGOS.length,
    }),
  },
];
