// @b24app/layout: the validated model of Bitrix24 configurable-activity layouts, activity fields and badges.
// Pure: no I/O, no dependency on the apps.

export type { LayoutErrorCode, LayoutIssue, Validation } from './issues.js';
export { formatIssues } from './issues.js';
export type { ValidateLayoutOptions } from './validate.js';
export { validateActivityFields, validateBadge, validateLayout, validateLayoutBlocks } from './validate.js';

export type { TextWithTranslation } from './translation.js';
export { resolveText } from './translation.js';

export * from './catalogs.js';

export {
  COLLECTION_KEY_PATTERN,
  flagSchema,
  LANGUAGE_ID_PATTERN,
  scopeSchema,
  textWithTranslationSchema,
} from './primitives.schemas.js';
export * from './action.schemas.js';
export * from './content-block.schemas.js';
export * from './layout.schemas.js';
export * from './activity-fields.schemas.js';
export * from './badge.schemas.js';

export type { ActionParamsInput, Keyed, Scoped } from './builders.js';
export {
  body,
  button,
  deadlineBlock,
  footer,
  header,
  largeTextBlock,
  layout,
  lineOfBlocks,
  linkBlock,
  menu,
  menuItem,
  openRestApp,
  redirect,
  restEvent,
  tag,
  textBlock,
  withTitle,
} from './builders.js';
