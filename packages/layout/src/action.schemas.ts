import { z } from 'zod';
import { ANIMATION_TYPES, LIMITS, SLIDER_LABEL_BG_COLORS } from './catalogs.js';
import { coded } from './issues.js';
import { collectionSchema, isPlainObject, nonEmptyStringSchema } from './primitives.schemas.js';

/** PHP's (string) cast, which the portal applies to every actionParams value. */
function phpString(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '';
  return String(value);
}

const actionParamValueSchema = z
  .union([z.string(), z.number(), z.boolean()], {
    error: 'an actionParams value must be a string, number or boolean (nested objects are not allowed)',
  })
  .transform(phpString);

/** Arbitrary parameters passed back to the app: at most 20 scalar values, stored as strings. */
export const actionParamsSchema = collectionSchema(actionParamValueSchema, {
  noun: ['parameter', 'parameters'],
  max: LIMITS.actionParams,
});

const pixelsSchema = z.number().int().min(0);

export const sliderParamsSchema = z
  .strictObject({
    width: pixelsSchema.optional(),
    leftBoundary: pixelsSchema.optional(),
    title: z.string().optional(),
    labelBgColor: z.enum(SLIDER_LABEL_BG_COLORS).optional(),
    labelColor: z
      .string()
      .regex(/^#[a-fA-F0-9]{6}$/, { error: 'must be a #rrggbb colour' })
      .optional(),
    labelText: z.string().optional(),
  })
  .superRefine(
    (value, ctx) => {
      if (value.width !== undefined && value.leftBoundary !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['leftBoundary'],
          message: 'width and leftBoundary cannot be used together; set only one of them',
          params: coded('WRONG_FIELD_VALUE'),
        });
      }
    },
    { when: (payload) => isPlainObject(payload.value) },
  );

export const redirectActionSchema = z.strictObject({
  type: z.literal('redirect'),
  /** A relative portal path (opens in a slider when Bitrix24 can) or an absolute URL (opens in a new tab). */
  uri: nonEmptyStringSchema,
});

export const restEventActionSchema = z.strictObject({
  type: z.literal('restEvent'),
  /** Sent back as `data[id]` in ONCRMTIMELINEITEMACTION. */
  id: nonEmptyStringSchema,
  actionParams: actionParamsSchema.optional(),
  /** `loader` locks the whole item, `disable` the clicked button, until crm.activity.configurable.update. */
  animationType: z.enum(ANIMATION_TYPES).optional(),
});

export const openRestAppActionSchema = z.strictObject({
  type: z.literal('openRestApp'),
  actionParams: actionParamsSchema.optional(),
  sliderParams: sliderParamsSchema.optional(),
});

/** ActionDto: what a click on a header, tag, logo, link, button or menu item does. */
export const actionSchema = z.discriminatedUnion('type', [
  redirectActionSchema,
  restEventActionSchema,
  openRestAppActionSchema,
]);

export type ActionParams = z.output<typeof actionParamsSchema>;
export type SliderParams = z.output<typeof sliderParamsSchema>;
export type RedirectAction = z.output<typeof redirectActionSchema>;
export type RestEventAction = z.output<typeof restEventActionSchema>;
export type OpenRestAppAction = z.output<typeof openRestAppActionSchema>;
export type Action = z.output<typeof actionSchema>;
