import type { z } from 'zod';
import { type ActivityFields, activityFieldsSchema } from './activity-fields.schemas.js';
import { type Badge, badgeSchema } from './badge.schemas.js';
import { type LayoutIssue, toLayoutIssues, type Validation } from './issues.js';
import { type Layout, type LayoutBlocks, layoutBlocksSchema, layoutSchema } from './layout.schemas.js';
import { isPlainObject } from './primitives.schemas.js';

export interface ValidateLayoutOptions {
  /**
   * Every icon code the portal knows (`crm.timeline.icon.list`: system and custom). When given, `icon.code` must
   * be one of them, as on the portal; when absent any non-empty code passes.
   */
  knownIcons?: readonly string[];
  /** Every logo code the portal knows (`crm.timeline.logo.list`); same rule for `body.logo.code`. */
  knownLogos?: readonly string[];
}

function run<S extends z.ZodType>(schema: S, input: unknown, extra: LayoutIssue[] = []): Validation<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success && extra.length === 0) return { ok: true, value: result.data };
  return { ok: false, issues: [...(result.success ? [] : toLayoutIssues(result.error.issues)), ...extra] };
}

function checkCatalog(path: string, code: unknown, known: readonly string[] | undefined, what: string) {
  if (known === undefined || typeof code !== 'string' || code === '' || known.includes(code)) return [];
  return [{ path, message: `"${code}" is not ${what} known to this portal`, code: 'WRONG_FIELD_VALUE' } as const];
}

/**
 * Validates a LayoutDto as crm.activity.configurable.add/update would. On success `value` is the layout as the
 * portal stores it: flags as booleans, actionParams values as strings, array collections as keyed objects.
 */
export function validateLayout(input: unknown, options: ValidateLayoutOptions = {}): Validation<Layout> {
  const icon = isPlainObject(input) && isPlainObject(input.icon) ? input.icon.code : undefined;
  const body = isPlainObject(input) && isPlainObject(input.body) ? input.body : undefined;
  const logo = body && isPlainObject(body.logo) ? body.logo.code : undefined;
  return run(layoutSchema, input, [
    ...checkCatalog('icon.code', icon, options.knownIcons, 'an icon'),
    ...checkCatalog('body.logo.code', logo, options.knownLogos, 'a logo'),
  ]);
}

/** Validates the `layout` of crm.activity.layout.blocks.set / crm.timeline.layout.blocks.set (1..20 blocks). */
export function validateLayoutBlocks(input: unknown): Validation<LayoutBlocks> {
  return run(layoutBlocksSchema, input);
}

/** Validates `fields` of crm.activity.configurable.add/update, including "an incoming activity has no deadline". */
export function validateActivityFields(input: unknown): Validation<ActivityFields> {
  return run(activityFieldsSchema, input);
}

/** Validates crm.activity.badge.add parameters `{code, title, value, type}`. */
export function validateBadge(input: unknown): Validation<Badge> {
  return run(badgeSchema, input);
}
