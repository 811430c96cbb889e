import { z } from 'zod';
import { metadataPatchSchema, pageQuerySchema } from './common.js';

/** Request schemas of the work queue (spec §2 "Work") and environment keys (ours). */

export const workPollQuerySchema = z.strictObject({
  block_ms: z.coerce
    .number()
    .int()
    .min(1, 'block_ms must be 1–999')
    .max(999, 'block_ms must be 1–999')
    .optional(),
  reclaim_older_than_ms: z.coerce.number().int().min(0).optional(),
});

export const workHeartbeatQuerySchema = z.strictObject({
  expected_last_heartbeat: z.string().optional(),
  desired_ttl_seconds: z.coerce.number().int().min(1).optional(),
});

export const workStopSchema = z.strictObject({ force: z.boolean().nullish() });

export const workUpdateSchema = z.strictObject({ metadata: metadataPatchSchema });

export const workListQuerySchema = z.strictObject({
  limit: pageQuerySchema.limit,
  page: pageQuerySchema.page,
});

export const environmentKeyCreateSchema = z.strictObject({ name: z.string().min(1).max(256).nullish() });
