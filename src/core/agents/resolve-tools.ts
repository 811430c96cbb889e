import type { AgentTool, McpServer, ModelConfig, ToolConfig } from '../domain/agent.js';
import { invalidRequest } from '../errors.js';
import type { ModelParam, ToolParam } from '../schemas/agents.js';
import type { PermissionPolicy } from '../schemas/common.js';

/**
 * Our [decide] defaults (spec §7): built-in tools are allowed, MCP tools ask,
 * the way the hosted product behaves.
 */
export const DEFAULT_BUILTIN_POLICY: PermissionPolicy = { type: 'always_allow' };
export const DEFAULT_MCP_POLICY: PermissionPolicy = { type: 'always_ask' };

export function resolveModel(model: ModelParam): ModelConfig {
  if (typeof model === 'string') return { id: model };
  const out: ModelConfig = { id: model.id };
  if (model.effort) out.effort = typeof model.effort === 'string' ? { type: model.effort } : model.effort;
  if (model.inference_geo) out.inference_geo = model.inference_geo;
  if (model.speed) out.speed = model.speed;
  return out;
}

/** Fills defaults so responses carry resolved configs, and checks cross-field rules. */
export function resolveTools(tools: readonly ToolParam[], mcpServers: readonly McpServer[]): AgentTool[] {
  const serverNames = new Set<string>();
  mcpServers.forEach((server, index) => {
    if (serverNames.has(server.name)) {
      throw invalidRequest(
        `mcp_servers[${index}].name: duplicate MCP server name ${JSON.stringify(server.name)}`,
      );
    }
    serverNames.add(server.name);
  });
  const referenced = new Set<string>();
  const customNames = new Set<string>();
  let toolsets = 0;
  const resolved = tools.map((tool, index): AgentTool => {
    switch (tool.type) {
      case 'agent_toolset_20260401': {
        toolsets += 1;
        if (toolsets > 1)
          throw invalidRequest(`tools[${index}]: agent_toolset_20260401 may appear only once`);
        const defaults = resolveDefault(tool.default_config, DEFAULT_BUILTIN_POLICY);
        const seen = new Set<string>();
        const configs = (tool.configs ?? []).map((config, configIndex) => {
          if (seen.has(config.name)) {
            throw invalidRequest(
              `tools[${index}].configs[${configIndex}].name: duplicate config for ${config.name}`,
            );
          }
          seen.add(config.name);
          return resolveConfig(config, defaults, `tools[${index}].configs[${configIndex}]`, true);
        });
        return { type: 'agent_toolset_20260401', default_config: defaults, configs };
      }
      case 'mcp_toolset': {
        if (!serverNames.has(tool.mcp_server_name)) {
          throw invalidRequest(
            `tools[${index}].mcp_server_name: no MCP server named ${JSON.stringify(tool.mcp_server_name)} in mcp_servers`,
          );
        }
        if (referenced.has(tool.mcp_server_name)) {
          throw invalidRequest(
            `tools[${index}].mcp_server_name: ${tool.mcp_server_name} already has an mcp_toolset`,
          );
        }
        referenced.add(tool.mcp_server_name);
        const defaults = resolveDefault(tool.default_config, DEFAULT_MCP_POLICY);
        const configs = (tool.configs ?? []).map((config, configIndex) =>
          resolveConfig(config, defaults, `tools[${index}].configs[${configIndex}]`, false),
        );
        return {
          type: 'mcp_toolset',
          mcp_server_name: tool.mcp_server_name,
          default_config: defaults,
          configs,
        };
      }
      case 'custom': {
        if (customNames.has(tool.name))
          throw invalidRequest(`tools[${index}].name: duplicate custom tool ${tool.name}`);
        customNames.add(tool.name);
        return {
          type: 'custom',
          name: tool.name,
          description: tool.description,
          input_schema: tool.input_schema as { type: 'object' },
        };
      }
    }
  });
  mcpServers.forEach((server, index) => {
    if (!referenced.has(server.name)) {
      throw invalidRequest(
        `mcp_servers[${index}]: MCP server ${JSON.stringify(server.name)} must be referenced by an mcp_toolset in tools`,
      );
    }
  });
  return resolved;
}

function resolveDefault(
  config:
    | { enabled?: boolean | null | undefined; permission_policy?: PermissionPolicy | null | undefined }
    | null
    | undefined,
  fallbackPolicy: PermissionPolicy,
) {
  return {
    enabled: config?.enabled ?? true,
    permission_policy: config?.permission_policy ?? fallbackPolicy,
  };
}

function resolveConfig(
  config: {
    name: string;
    enabled?: boolean | null | undefined;
    permission_policy?: PermissionPolicy | null | undefined;
  } & Record<string, unknown>,
  defaults: { enabled: boolean; permission_policy: PermissionPolicy },
  where: string,
  builtin: boolean,
): ToolConfig {
  const { name, enabled, permission_policy, type: _type, ...extras } = config;
  const out: ToolConfig = {
    name,
    enabled: enabled ?? defaults.enabled,
    permission_policy: permission_policy ?? defaults.permission_policy,
  };
  if (!builtin) return out;
  out.type = name;
  if (extras['allowed_domains'] && extras['blocked_domains']) {
    throw invalidRequest(`${where}: set allowed_domains or blocked_domains, not both`);
  }
  for (const [key, value] of Object.entries(extras)) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  if (name === 'web_fetch') out['url_sources'] = resolveUrlSources(extras['url_sources'], where);
  if (name === 'web_search' && !('user_location' in out)) out['user_location'] = null;
  return out;
}

function resolveUrlSources(value: unknown, where: string) {
  if (value === undefined || value === null) return null;
  const sources = value as Record<string, unknown>;
  const norm = (source: unknown) =>
    source === undefined || source === null ? null : typeof source === 'string' ? { type: source } : source;
  const out = {
    user_input: norm(sources['user_input']),
    client_tool_results: norm(sources['client_tool_results']),
    server_tool_results: norm(sources['server_tool_results']),
  };
  const none = (source: unknown) => (source as { type?: string } | null)?.type === 'none';
  if (none(out.user_input) && none(out.client_tool_results) && none(out.server_tool_results)) {
    throw invalidRequest(`${where}.url_sources: at least one URL source must not be "none"`);
  }
  return out;
}
