import { z } from 'zod';
import { booleanQuery, timestampSchema } from '../schemas/common.js';

/** Limits as the SDK's field docs give them. */
export const DREAM_LIMITS = {
  sessionIds: 100,
  modelIdChars: 256,
  instructionsChars: 4096,
} as const;

const storeId = z.string().min(1, 'must not be empty');

const memoryStoreInput = z.strictObject({ type: z.literal('memory_store'), memory_store_id: storeId });
const sessionsInput = z.strictObject({
  type: z.literal('sessions'),
  session_ids: z
    .array(z.string().min(1, 'must not be empty'))
    .min(1, 'give 1 to 100 session ids')
    .max(DREAM_LIMITS.sessionIds, `give 1 to ${DREAM_LIMITS.sessionIds} session ids`)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a session id'),
});

const modelId = z
  .string()
  .min(1, 'must not be empty')
  .max(DREAM_LIMITS.modelIdChars, `must be at most ${DREAM_LIMITS.modelIdChars} characters`);

export const dreamCreateSchema = z
  .strictObject({
    inputs: z
      .array(z.discriminatedUnion('type', [memoryStoreInput, sessionsInput]))
      .refine(
        (inputs) =>
          inputs.filter((input) => input.type === 'memory_store').length === 1 &&
          inputs.filter((input) => input.type === 'sessions').length === 1 &&
          inputs.length === 2,
        'must hold exactly one memory_store entry and exactly one sessions entry',
      ),
    model: z.union([
      modelId,
      z.strictObject({
        id: modelId,
        speed: z.literal('standard', { error: 'dreams accept only "standard"' }).nullish(),
      }),
    ]),
    instructions: z
      .string()
      .min(1, 'must not be empty')
      .max(DREAM_LIMITS.instructionsChars, `must be at most ${DREAM_LIMITS.instructionsChars} characters`)
      .nullish(),
    output_behavior: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('create_new') }),
        z.strictObject({ type: z.literal('update_existing'), memory_store_id: storeId }),
      ])
      .optional(),
  })
  .superRefine((body, ctx) => {
    const behavior = body.output_behavior;
    const input = body.inputs.find((entry) => entry.type === 'memory_store');
    if (behavior?.type === 'update_existing' && input && behavior.memory_store_id !== input.memory_store_id)
      ctx.addIssue({
        code: 'custom',
        path: ['output_behavior', 'memory_store_id'],
        message: 'must be the memory store of the memory_store entry of inputs',
      });
  });
export type DreamCreateInput = z.infer<typeof dreamCreateSchema>;

const status = z.enum(['pending', 'running', 'completed', 'failed', 'canceled']);

export const dreamListQuerySchema = z.strictObject({
  limit: z.coerce.number().int('limit must be an integer').min(1, 'limit must be at least 1').optional(),
  page: z.string().min(1).optional(),
  include_archived: booleanQuery.optional(),
  statuses: z.union([status.transform((value) => [value]), z.array(status)]).optional(),
  created_at: z.strictObject({ gt: timestampSchema.optional(), lt: timestampSchema.optional() }).optional(),
});
