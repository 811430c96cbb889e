import { z } from 'zod';
import {
  metadataPatchSchema,
  metadataSchema,
  pageQuerySchema,
  permissionPolicySchema,
  timeRangeQuery,
} from './common.js';

/** Request schemas for /v1/agents, mirroring AgentCreateParams / AgentUpdateParams in the SDK. */

export const BUILTIN_TOOL_NAMES = [
  'bash',
  'edit',
  'read',
  'write',
  'glob',
  'grep',
  'web_fetch',
  'web_search',
] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

const effortName = z.enum(['low', 'medium', 'high', 'xhigh', 'max']);

export const modelParamSchema = z.union([
  z.string().min(1, 'model must not be empty'),
  z.strictObject({
    id: z.string().min(1, 'model.id must not be empty'),
    effort: z.union([effortName, z.strictObject({ type: effortName })]).nullish(),
    inference_geo: z.string().nullish(),
    speed: z.enum(['standard', 'fast']).nullish(),
  }),
]);
export type ModelParam = z.infer<typeof modelParamSchema>;

const domainList = z.array(z.string().min(1)).min(1, 'must not be empty').max(64);
const toolReference = z.strictObject({ type: z.literal('tool_reference'), name: z.string().min(1) });
const urlSourceFilter = z.union([
  z.enum(['all', 'none']),
  z.strictObject({ type: z.literal('all') }),
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('only'), tools: z.array(toolReference) }),
  z.strictObject({ type: z.literal('except'), tools: z.array(toolReference) }),
]);
const userLocation = z.strictObject({
  type: z.literal('approximate'),
  city: z.string().nullish(),
  country: z.string().nullish(),
  region: z.string().nullish(),
  timezone: z.string().nullish(),
});

const toolConfigBase = {
  enabled: z.boolean().nullish(),
  permission_policy: permissionPolicySchema.nullish(),
};

const simpleToolConfig = (name: Exclude<BuiltinToolName, 'web_fetch' | 'web_search'>) =>
  z.strictObject({ name: z.literal(name), type: z.literal(name).optional(), ...toolConfigBase });

export const builtinToolConfigSchema = z.discriminatedUnion('name', [
  simpleToolConfig('bash'),
  simpleToolConfig('edit'),
  simpleToolConfig('read'),
  simpleToolConfig('write'),
  simpleToolConfig('glob'),
  simpleToolConfig('grep'),
  z.strictObject({
    name: z.literal('web_fetch'),
    type: z.literal('web_fetch').optional(),
    ...toolConfigBase,
    allowed_domains: domainList.optional(),
    blocked_domains: domainList.optional(),
    max_content_tokens: z.number().int().positive().nullish(),
    url_sources: z
      .strictObject({
        user_input: urlSourceFilter.nullish(),
        client_tool_results: urlSourceFilter.nullish(),
        server_tool_results: urlSourceFilter.nullish(),
      })
      .nullish(),
  }),
  z.strictObject({
    name: z.literal('web_search'),
    type: z.literal('web_search').optional(),
    ...toolConfigBase,
    allowed_domains: domainList.optional(),
    blocked_domains: domainList.optional(),
    user_location: userLocation.nullish(),
  }),
]);
export type BuiltinToolConfigParam = z.infer<typeof builtinToolConfigSchema>;

const defaultConfigSchema = z.strictObject(toolConfigBase).nullish();

export const agentToolsetSchema = z.strictObject({
  type: z.literal('agent_toolset_20260401'),
  default_config: defaultConfigSchema,
  configs: z.array(builtinToolConfigSchema).optional(),
});

export const mcpToolsetSchema = z.strictObject({
  type: z.literal('mcp_toolset'),
  mcp_server_name: z.string().min(1).max(255),
  default_config: defaultConfigSchema,
  configs: z.array(z.strictObject({ name: z.string().min(1), ...toolConfigBase })).optional(),
});

export const customToolSchema = z.strictObject({
  type: z.literal('custom'),
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/, 'custom tool names use only letters, digits, "_" and "-"'),
  description: z.string(),
  input_schema: z.looseObject({
    type: z.literal('object'),
    properties: z.record(z.string(), z.unknown()).nullish(),
    required: z.array(z.string()).nullish(),
  }),
});

export const toolParamSchema = z.discriminatedUnion('type', [
  agentToolsetSchema,
  mcpToolsetSchema,
  customToolSchema,
]);
export type ToolParam = z.infer<typeof toolParamSchema>;

export const mcpServerParamSchema = z.strictObject({
  type: z.literal('url'),
  name: z.string().min(1).max(255),
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
});

export const skillParamSchema = z.strictObject({
  type: z.enum(['anthropic', 'custom']),
  skill_id: z.string().min(1),
  version: z.string().nullish(),
});

const agentRefParam = z.strictObject({
  type: z.literal('agent'),
  id: z.string().min(1),
  version: z.number().int().min(1).nullish(),
});
const rosterEntrySchema = z.union([
  z.string().min(1),
  agentRefParam,
  z.strictObject({ type: z.literal('self') }),
  z.strictObject({ type: z.literal('advisor'), model: z.string().min(1) }),
]);
export type RosterEntryParam = z.infer<typeof rosterEntrySchema>;

const predefinedAgent = z.union([
  z.string().min(1),
  agentRefParam,
  z.strictObject({ type: z.literal('self') }),
]);
const enabledDisabled = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('enabled') }),
  z.strictObject({ type: z.literal('disabled') }),
]);
const delegationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('enabled'),
    inline_agents: enabledDisabled.nullish(),
    predefined_agents: z.array(predefinedAgent).max(20, 'at most 20 predefined agents').nullish(),
  }),
  z.strictObject({ type: z.literal('disabled') }),
]);

export const multiagentParamSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('coordinator'),
    agents: z
      .array(rosterEntrySchema)
      .min(1, 'a roster holds 1 to 20 agents')
      .max(20, 'a roster holds 1 to 20 agents'),
  }),
  z.strictObject({
    type: z.literal('multiagent_20261001'),
    advisor: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('enabled'), model: z.string().min(1) }),
        z.strictObject({ type: z.literal('disabled') }),
      ])
      .nullish(),
    subagents: delegationSchema.nullish(),
    workflows: delegationSchema.nullish(),
  }),
]);
export type MultiagentParam = z.infer<typeof multiagentParamSchema>;

/** The guide's coordinator form: `agents: [{agent_id, name}]`. Stored as a `multiagent` roster. */
export const guideRosterSchema = z
  .array(z.strictObject({ agent_id: z.string().min(1), name: z.string().min(1).optional() }))
  .min(1)
  .max(20);

export const executionIdentitySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('service_account') }),
  z.strictObject({ type: z.literal('aws_role'), role_arn: z.string().min(1) }),
]);

const toolsArray = z.array(toolParamSchema).max(256, 'an agent has at most 256 tools');
const mcpServersArray = z.array(mcpServerParamSchema).max(20, 'an agent has at most 20 MCP servers');

export const agentCreateSchema = z.strictObject({
  name: z.string().min(1, 'name must not be empty').max(256),
  model: modelParamSchema,
  description: z.string().max(2048).nullish(),
  system: z.string().max(100_000).nullish(),
  tools: toolsArray.optional(),
  mcp_servers: mcpServersArray.optional(),
  skills: z.array(skillParamSchema).max(64).optional(),
  multiagent: multiagentParamSchema.nullish(),
  agents: guideRosterSchema.optional(),
  metadata: metadataSchema.optional(),
  execution_identity: executionIdentitySchema.nullish(),
});
export type AgentCreateInput = z.infer<typeof agentCreateSchema>;

export const agentUpdateSchema = z.strictObject({
  name: z.string().min(1, 'name must not be empty').max(256).optional(),
  model: modelParamSchema.optional(),
  description: z.string().max(2048).nullish(),
  system: z.string().max(100_000).nullish(),
  tools: toolsArray.nullish(),
  mcp_servers: mcpServersArray.nullish(),
  skills: z.array(skillParamSchema).max(64).nullish(),
  multiagent: multiagentParamSchema.nullish(),
  agents: guideRosterSchema.nullish(),
  metadata: metadataPatchSchema.optional(),
  execution_identity: executionIdentitySchema.nullish(),
  version: z.number().int().min(1).optional(),
});
export type AgentUpdateInput = z.infer<typeof agentUpdateSchema>;

export const agentListQuerySchema = z.strictObject({
  ...pageQuerySchema,
  created_at: timeRangeQuery,
});

export const agentRetrieveQuerySchema = z.strictObject({
  version: z.coerce
    .number()
    .int('version must be an integer')
    .min(1, 'version must be at least 1')
    .optional(),
});

export const agentVersionsQuerySchema = z.strictObject({
  limit: pageQuerySchema.limit,
  page: pageQuerySchema.page,
});
