import { z } from 'zod';
import { mcpServerParamSchema, modelParamSchema, skillParamSchema, toolParamSchema } from './agents.js';
import {
  booleanQuery,
  metadataPatchSchema,
  metadataSchema,
  pageQuerySchema,
  timeRangeQuery,
} from './common.js';
import { initialEventSchema } from './session-events.js';

/** Request schemas for /v1/sessions, mirroring SessionCreateParams / SessionUpdateParams in the SDK. */

const agentIdSchema = z.string().min(1, 'agent must not be empty');

export const sessionAgentParamSchema = z.union([
  agentIdSchema,
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('agent'),
      id: agentIdSchema,
      version: z.number().int().min(1).nullish(),
    }),
    z.strictObject({
      type: z.literal('agent_with_overrides'),
      id: agentIdSchema,
      version: z.number().int().min(1).nullish(),
      model: modelParamSchema.optional(),
      system: z.string().max(100_000).nullish(),
      tools: z.array(toolParamSchema).max(256).optional(),
      mcp_servers: z.array(mcpServerParamSchema).max(20).optional(),
      skills: z.array(skillParamSchema).max(64).optional(),
    }),
  ]),
]);
export type SessionAgentParam = z.infer<typeof sessionAgentParamSchema>;

export const budgetSchema = z.strictObject({
  type: z.literal('limit'),
  max_list_cost: z.strictObject({
    amount: z.string().regex(/^\d+(\.\d+)?$/, 'amount is a decimal string such as "2500"'),
    currency: z.literal('USD'),
  }),
});

const checkoutSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('branch'), name: z.string().min(1) }),
  z.strictObject({ type: z.literal('commit'), sha: z.string().min(1) }),
]);

// Relative paths are accepted (the SDK's own files example mounts 'data.csv'); the session
// resolves them under the resource's default directory (session-resources.ts).
const mountPath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[^\0]*$/, 'mount_path must not contain NUL')
  .nullish();

export const fileResourceParamSchema = z.strictObject({
  type: z.literal('file'),
  file_id: z.string().min(1),
  mount_path: mountPath,
});

export const githubResourceParamSchema = z.strictObject({
  type: z.literal('github_repository'),
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) repository URL' }),
  authorization_token: z.string().min(1).optional(),
  checkout: checkoutSchema.nullish(),
  mount_path: mountPath,
});

export const memoryStoreResourceParamSchema = z.strictObject({
  type: z.literal('memory_store'),
  memory_store_id: z.string().min(1),
  access: z.enum(['read_write', 'read_only']).nullish(),
  instructions: z.string().max(4096, 'must be at most 4096 characters').nullish(),
});

export const sessionResourceParamSchema = z.discriminatedUnion('type', [
  fileResourceParamSchema,
  githubResourceParamSchema,
  memoryStoreResourceParamSchema,
]);
export type SessionResourceParam = z.infer<typeof sessionResourceParamSchema>;

export const sessionCreateSchema = z.strictObject({
  agent: sessionAgentParamSchema,
  environment_id: z.string().min(1, 'environment_id must not be empty'),
  title: z.string().max(512).nullish(),
  metadata: metadataSchema.optional(),
  vault_ids: z.array(z.string().min(1)).max(20).optional(),
  resources: z.array(sessionResourceParamSchema).max(100).optional(),
  budget: budgetSchema.nullish(),
  initial_events: z.array(initialEventSchema).max(50, 'initial_events holds at most 50 events').optional(),
});
export type SessionCreateInput = z.infer<typeof sessionCreateSchema>;

export const sessionUpdateSchema = z.strictObject({
  title: z.string().max(512).nullish(),
  metadata: metadataPatchSchema.optional(),
  agent: z
    .strictObject({
      tools: z.array(toolParamSchema).max(256).optional(),
      mcp_servers: z.array(mcpServerParamSchema).max(20).optional(),
    })
    .optional(),
  budget: budgetSchema.nullish(),
  // Accepted by the SDK types but never by the service: a session's vaults are fixed at creation.
  vault_ids: z.unknown().optional(),
});
export type SessionUpdateInput = z.infer<typeof sessionUpdateSchema>;

const statusName = z.enum(['idle', 'running', 'rescheduling', 'terminated']);

export const sessionListQuerySchema = z.strictObject({
  ...pageQuerySchema,
  order: z.enum(['asc', 'desc']).optional(),
  agent_id: z.string().min(1).optional(),
  agent_version: z.coerce.number().int().min(1).optional(),
  statuses: z.union([statusName.transform((v) => [v]), z.array(statusName)]).optional(),
  created_at: timeRangeQuery,
  include_archived: booleanQuery.optional(),
  deployment_id: z.string().optional(),
  memory_store_id: z.string().optional(),
});

export const sessionResourceUpdateSchema = z.strictObject({
  authorization_token: z.string().min(1, 'authorization_token must not be empty'),
});

export const sessionResourceListQuerySchema = z.strictObject({
  limit: pageQuerySchema.limit,
  page: pageQuerySchema.page,
});
