import { z } from 'zod';
import {
  booleanQuery,
  metadataPatchSchema,
  metadataSchema,
  pageQuerySchema,
  timeRangeQuery,
} from '../schemas/common.js';
import { initialEventSchema } from '../schemas/session-events.js';
import {
  budgetSchema,
  type sessionAgentParamSchema,
  sessionResourceParamSchema,
} from '../schemas/sessions.js';
import { cronExpressionProblem, isKnownTimeZone } from './cron-schedule.js';

/** Request schemas for /v1/deployments and /v1/deployment_runs (DeploymentCreateParams, ...). */

export const DEPLOYMENT_LIMITS = {
  initialEvents: 50,
  resources: 500,
  vaults: 50,
  nameChars: 256,
  descriptionChars: 2048,
} as const;

const scheduleSchema = z.strictObject({
  type: z.literal('cron'),
  expression: z.string().superRefine((value, ctx) => {
    const problem = cronExpressionProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `not a 5-field POSIX cron expression: ${problem}` });
  }),
  timezone: z.string().refine(isKnownTimeZone, 'not an IANA time zone (e.g. "America/New_York", "UTC")'),
});

// Deployments pin an agent (id or {type:'agent', id, version}); overrides are a session-only form.
const agentSchema = z.union([
  z.string().min(1, 'agent must not be empty'),
  z.strictObject({
    type: z.literal('agent'),
    id: z.string().min(1),
    version: z.number().int().min(1).nullish(),
  }),
]) satisfies z.ZodType<unknown, z.infer<typeof sessionAgentParamSchema>>;

const initialEvents = z
  .array(initialEventSchema)
  .min(1, 'initial_events needs at least 1 event')
  .max(
    DEPLOYMENT_LIMITS.initialEvents,
    `initial_events holds at most ${DEPLOYMENT_LIMITS.initialEvents} events`,
  );
const resources = z
  .array(sessionResourceParamSchema)
  .max(DEPLOYMENT_LIMITS.resources, `resources holds at most ${DEPLOYMENT_LIMITS.resources} entries`);
const vaultIds = z
  .array(z.string().min(1))
  .max(DEPLOYMENT_LIMITS.vaults, `vault_ids holds at most ${DEPLOYMENT_LIMITS.vaults} ids`);
const name = z.string().min(1, 'name must not be empty').max(DEPLOYMENT_LIMITS.nameChars);
const description = z.string().max(DEPLOYMENT_LIMITS.descriptionChars).nullish();

export const deploymentCreateSchema = z.strictObject({
  agent: agentSchema,
  environment_id: z.string().min(1, 'environment_id must not be empty'),
  initial_events: initialEvents,
  name,
  description,
  metadata: metadataSchema.optional(),
  resources: resources.optional(),
  schedule: scheduleSchema.nullish(),
  vault_ids: vaultIds.optional(),
  budget: budgetSchema.nullish(),
});
export type DeploymentCreateInput = z.infer<typeof deploymentCreateSchema>;

export const deploymentUpdateSchema = z.strictObject({
  agent: agentSchema.optional(),
  environment_id: z.string().min(1, 'environment_id must not be empty').optional(),
  initial_events: initialEvents.optional(),
  name: name.optional(),
  description,
  metadata: metadataPatchSchema.optional(),
  resources: resources.nullish(),
  schedule: scheduleSchema.nullish(),
  vault_ids: vaultIds.nullish(),
  budget: budgetSchema.nullish(),
});
export type DeploymentUpdateInput = z.infer<typeof deploymentUpdateSchema>;

export const deploymentListQuerySchema = z
  .strictObject({
    ...pageQuerySchema,
    agent_id: z.string().min(1).optional(),
    created_at: timeRangeQuery,
    status: z.enum(['active', 'paused']).optional(),
  })
  .refine((query) => !(query.include_archived && query.status !== undefined), {
    message: 'status and include_archived cannot be combined',
    path: ['status'],
  });

export const deploymentRunListQuerySchema = z.strictObject({
  limit: pageQuerySchema.limit,
  page: pageQuerySchema.page,
  created_at: timeRangeQuery,
  deployment_id: z.string().optional(),
  has_error: booleanQuery.optional(),
  trigger_type: z.enum(['schedule', 'manual']).optional(),
});
