import { type Layout, validateLayout } from '@b24app/layout';

/** A layout as the emulator stores it (validated like crm.activity.configurable.add); throws on an invalid one. */
export function validLayout(raw: unknown): Layout {
  const r = validateLayout(raw);
  if (!r.ok) throw new Error(`invalid layout: ${JSON.stringify(r.issues)}`);
  return r.value;
}
