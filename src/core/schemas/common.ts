import { z } from 'zod';

/** Shared wire-schema pieces. Request schemas are strict: an unknown field is a 400 naming it. */

export const metadataSchema = z
  .record(
    z.string().max(64, 'metadata keys are at most 64 characters'),
    z.string().max(512, 'metadata values are at most 512 characters'),
  )
  .refine((value) => Object.keys(value).length <= 16, 'metadata holds at most 16 pairs');

/** Update form: a string upserts, null deletes, an omitted key is kept. */
export const metadataPatchSchema = z
  .record(
    z.string().max(64, 'metadata keys are at most 64 characters'),
    z.string().max(512, 'metadata values are at most 512 characters').nullable(),
  )
  .nullable();

export function applyMetadataPatch(
  current: Record<string, string>,
  patch: Record<string, string | null> | null | undefined,
  deleteOnEmpty = false,
): Record<string, string> {
  if (patch === undefined) return current;
  if (patch === null) return {};
  const out = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || (deleteOnEmpty && value === '')) delete out[key];
    else out[key] = value;
  }
  return out;
}

export const timestampSchema = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'expected an RFC 3339 timestamp')
  .transform((value) => new Date(value).toISOString());

const booleanString = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const pageQuerySchema = {
  limit: z.coerce.number().int('limit must be an integer').min(1, 'limit must be at least 1').optional(),
  page: z.string().min(1).optional(),
  include_archived: booleanString.optional(),
};

export const booleanQuery = booleanString;

export const timeRangeQuery = z
  .strictObject({
    gt: timestampSchema.optional(),
    gte: timestampSchema.optional(),
    lt: timestampSchema.optional(),
    lte: timestampSchema.optional(),
  })
  .optional();

/** Accepts `x` or `x[]` already folded into an array. */
export const stringArrayQuery = z.union([z.string().transform((v) => [v]), z.array(z.string())]);

export const permissionPolicySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('always_allow') }),
  z.strictObject({ type: z.literal('always_ask') }),
  z.strictObject({ type: z.literal('auto') }),
]);
export type PermissionPolicy = z.infer<typeof permissionPolicySchema>;
