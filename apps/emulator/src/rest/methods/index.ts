import type { MethodTable } from '../method-types.js';
import { methodTable } from '../method-types.js';
import { activityMethods } from './activity.methods.js';
import { activityTypeMethods } from './activity-type.methods.js';
import { appMethods } from './app.methods.js';
import { badgeMethods } from './badge.methods.js';
import { batchMethods } from './batch.methods.js';
import { bizprocMethods } from './bizproc.methods.js';
import { configurableActivityMethods } from './configurable-activity.methods.js';
import { crmItemMethods } from './crm-item.methods.js';
import { eventMethods } from './event.methods.js';
import { imMethods } from './im.methods.js';
import { placementMethods } from './placement.methods.js';
import { timelineCatalogMethods } from './timeline-catalog.methods.js';
import { userMethods } from './user.methods.js';

/** Every REST method the emulated portal knows. */
export function allMethods(): MethodTable {
  let table: MethodTable = new Map();
  table = methodTable(
    appMethods,
    userMethods,
    eventMethods,
    configurableActivityMethods,
    activityMethods,
    activityTypeMethods,
    badgeMethods,
    timelineCatalogMethods,
    crmItemMethods,
    bizprocMethods,
    placementMethods,
    imMethods,
    batchMethods(() => table),
  );
  return table;
}
