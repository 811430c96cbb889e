import { z } from 'zod';
import { timestampSchema } from './common.js';

export const USAGE_GROUPS = ['day', 'agent', 'model'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

const groupName = z.enum(USAGE_GROUPS);

/** GET /v1/usage_report (Paddock's own endpoint; docs/metering.md). */
export const usageReportQuerySchema = z
  .strictObject({
    starting_at: timestampSchema,
    ending_at: timestampSchema.optional(),
    group_by: z.union([groupName.transform((value) => [value]), z.array(groupName)]).optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .refine(
    (query) => query.ending_at === undefined || query.ending_at > query.starting_at,
    'ending_at must be after starting_at',
  );
export type UsageReportQuery = z.infer<typeof usageReportQuerySchema>;
