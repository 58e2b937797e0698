import type { MethodTable } from '../method-types.js';
import { methodTable } from '../method-types.js';
import { appMethods } from './app.methods.js';
import { batchMethods } from './batch.methods.js';
import { eventMethods } from './event.methods.js';
import { userMethods } from './user.methods.js';

/** Every REST method the emulated portal knows. */
export function allMethods(): MethodTable {
  let table: MethodTable = new Map();
  table = methodTable(
    appMethods,
    userMethods,
    eventMethods,
    batchMethods(() => table),
  );
  return table;
}
