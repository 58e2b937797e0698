import { z } from 'zod';
import { LIMITS, TEXT_COLORS, TEXT_SIZES } from './catalogs.js';
import { actionSchema } from './action.schemas.js';
import { collectionSchema, flagSchema, scopeSchema, textWithTranslationSchema } from './primitives.schemas.js';

export const textBlockSchema = z.strictObject({
  type: z.literal('text'),
  properties: z.strictObject({
    value: textWithTranslationSchema,
    /** `\n` becomes a line break. */
    multiline: flagSchema.optional(),
    title: textWithTranslationSchema.optional(),
    bold: flagSchema.optional(),
    size: z.enum(TEXT_SIZES).optional(),
    color: z.enum(TEXT_COLORS).optional(),
    scope: scopeSchema.optional(),
  }),
});

/** Long text, collapsed to a preview with "Show more". */
export const largeTextBlockSchema = z.strictObject({
  type: z.literal('largeText'),
  properties: z.strictObject({
    value: textWithTranslationSchema,
    scope: scopeSchema.optional(),
  }),
});

export const linkBlockSchema = z.strictObject({
  type: z.literal('link'),
  properties: z.strictObject({
    text: textWithTranslationSchema,
    action: actionSchema,
    bold: flagSchema.optional(),
    scope: scopeSchema.optional(),
  }),
});

/** The activity's deadline with a quick editor; hidden for incoming activities and those without a deadline. */
export const deadlineBlockSchema = z.strictObject({
  type: z.literal('deadline'),
  properties: z
    .strictObject({
      readonly: flagSchema.optional(),
      scope: scopeSchema.optional(),
    })
    .optional(),
});

/** The blocks allowed inside withTitle and lineOfBlocks. */
export const simpleContentBlockSchema = z.discriminatedUnion('type', [
  textBlockSchema,
  linkBlockSchema,
  deadlineBlockSchema,
]);

export const withTitleBlockSchema = z.strictObject({
  type: z.literal('withTitle'),
  properties: z.strictObject({
    title: textWithTranslationSchema,
    block: simpleContentBlockSchema,
    /** Title and value on one line. */
    inline: flagSchema.optional(),
    scope: scopeSchema.optional(),
  }),
});

export const lineOfBlocksBlockSchema = z.strictObject({
  type: z.literal('lineOfBlocks'),
  properties: z.strictObject({
    blocks: collectionSchema(simpleContentBlockSchema, { noun: ['block', 'blocks'], max: LIMITS.lineOfBlocks }),
    scope: scopeSchema.optional(),
  }),
});

/** ContentBlockDto: the six block types (there are no others). */
export const contentBlockSchema = z.discriminatedUnion('type', [
  textBlockSchema,
  largeTextBlockSchema,
  linkBlockSchema,
  withTitleBlockSchema,
  lineOfBlocksBlockSchema,
  deadlineBlockSchema,
]);

export const contentBlocksSchema = collectionSchema(contentBlockSchema, {
  noun: ['block', 'blocks'],
  max: LIMITS.bodyBlocks,
  min: 1,
});

export type TextBlock = z.output<typeof textBlockSchema>;
export type LargeTextBlock = z.output<typeof largeTextBlockSchema>;
export type LinkBlock = z.output<typeof linkBlockSchema>;
export type DeadlineBlock = z.output<typeof deadlineBlockSchema>;
export type WithTitleBlock = z.output<typeof withTitleBlockSchema>;
export type LineOfBlocksBlock = z.output<typeof lineOfBlocksBlockSchema>;
export type SimpleContentBlock = z.output<typeof simpleContentBlockSchema>;
export type ContentBlock = z.output<typeof contentBlockSchema>;
export type ContentBlocks = z.output<typeof contentBlocksSchema>;
