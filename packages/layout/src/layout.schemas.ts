import { z } from 'zod';
import { BUTTON_TYPES, LIMITS, TAG_TYPES } from './catalogs.js';
import { actionSchema } from './action.schemas.js';
import { contentBlocksSchema } from './content-block.schemas.js';
import {
  collectionSchema,
  flagSchema,
  nonEmptyStringSchema,
  scopeSchema,
  textWithTranslationSchema,
} from './primitives.schemas.js';

/** IconDto: a system icon (SYSTEM_ICONS) or a custom one registered on the portal. */
export const iconSchema = z.strictObject({ code: nonEmptyStringSchema });

/** LogoDto: a system logo (SYSTEM_LOGOS) or a custom one registered on the portal. */
export const logoSchema = z.strictObject({ code: nonEmptyStringSchema, action: actionSchema.optional() });

export const tagSchema = z.strictObject({
  title: textWithTranslationSchema,
  type: z.enum(TAG_TYPES),
  action: actionSchema.optional(),
  scope: scopeSchema.optional(),
  hideIfReadonly: flagSchema.optional(),
});

export const headerSchema = z.strictObject({
  title: textWithTranslationSchema,
  titleAction: actionSchema.optional(),
  tags: collectionSchema(tagSchema, { noun: ['tag', 'tags'], max: LIMITS.headerTags }).optional(),
});

export const bodySchema = z.strictObject({
  logo: logoSchema,
  blocks: contentBlocksSchema,
});

export const footerButtonSchema = z.strictObject({
  title: textWithTranslationSchema,
  type: z.enum(BUTTON_TYPES),
  action: actionSchema,
  scope: scopeSchema.optional(),
  hideIfReadonly: flagSchema.optional(),
});

export const menuItemSchema = z.strictObject({
  title: textWithTranslationSchema,
  action: actionSchema,
  scope: scopeSchema.optional(),
  hideIfReadonly: flagSchema.optional(),
});

export const footerMenuSchema = z.strictObject({
  /** Shown only on completed activities; default true. */
  showPinItem: flagSchema.optional(),
  /** Hidden anyway on incoming, completed or deadline-less activities; default true. */
  showPostponeItem: flagSchema.optional(),
  showDeleteItem: flagSchema.optional(),
  items: collectionSchema(menuItemSchema, { noun: ['menu item', 'menu items'], max: LIMITS.menuItems }).optional(),
});

export const footerSchema = z.strictObject({
  buttons: collectionSchema(footerButtonSchema, { noun: ['button', 'buttons'], max: LIMITS.footerButtons }).optional(),
  menu: footerMenuSchema.optional(),
  /** Undocumented but declared by the portal's FooterDto. */
  showNote: flagSchema.optional(),
});

/** LayoutDto: the whole configurable activity. */
export const layoutSchema = z.strictObject({
  icon: iconSchema,
  header: headerSchema,
  body: bodySchema,
  footer: footerSchema.optional(),
});

/** RestAppLayoutDto (crm.activity.layout.blocks.set / crm.timeline.layout.blocks.set): 1..20 extra blocks. */
export const layoutBlocksSchema = z.strictObject({ blocks: contentBlocksSchema });

export type Icon = z.output<typeof iconSchema>;
export type Logo = z.output<typeof logoSchema>;
export type Tag = z.output<typeof tagSchema>;
export type Header = z.output<typeof headerSchema>;
export type Body = z.output<typeof bodySchema>;
export type FooterButton = z.output<typeof footerButtonSchema>;
export type MenuItem = z.output<typeof menuItemSchema>;
export type FooterMenu = z.output<typeof footerMenuSchema>;
export type Footer = z.output<typeof footerSchema>;
export type Layout = z.output<typeof layoutSchema>;
export type LayoutBlocks = z.output<typeof layoutBlocksSchema>;
