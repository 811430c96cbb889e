import type { AgentToolset, ToolConfig } from '../domain/agent.js';
import type { InlineAgent } from '../domain/session.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import { BUILTIN_TOOL_NAMES } from '../schemas/agents.js';

/** What `spawn_agent` takes to define an inline agent. */
export interface InlineAgentInput {
  name?: unknown;
  system?: unknown;
  description?: unknown;
  tools?: unknown;
  model?: unknown;
}

/**
 * An inline agent from the model's own definition. Its tools are granted by
 * the parent, never more: a subset of the parent's enabled built-in tools,
 * each keeping the parent's permission policy (an `always_ask` tool stays
 * `always_ask`). MCP toolsets and custom tools are not granted to inline
 * agents. Returns an error message naming the field when the definition is
 * not acceptable.
 */
export function inlineAgentFrom(
  input: InlineAgentInput,
  parent: HarnessSession,
): { agent: InlineAgent } | { error: string } {
  if (typeof input.name !== 'string' || input.name.trim() === '')
    return { error: 'inline_agent.name must be a non-empty string' };
  if (typeof input.system !== 'string' || input.system.trim() === '')
    return { error: 'inline_agent.system must be a non-empty string (the agent’s system prompt)' };
  if (input.description !== undefined && typeof input.description !== 'string')
    return { error: 'inline_agent.description must be a string' };
  if (input.model !== undefined && (typeof input.model !== 'string' || input.model === ''))
    return { error: 'inline_agent.model must be a model id' };
  const granted = grantableTools(parent);
  let wanted: string[];
  if (input.tools === undefined) wanted = [...granted.keys()];
  else if (Array.isArray(input.tools) && input.tools.every((tool) => typeof tool === 'string'))
    wanted = input.tools as string[];
  else return { error: 'inline_agent.tools must be a list of built-in tool names' };
  const refused = wanted.filter((name) => !granted.has(name));
  if (refused.length > 0) {
    return {
      error:
        `inline_agent.tools: you cannot grant ${refused.join(', ')}; ` +
        `you may grant: ${[...granted.keys()].join(', ') || 'no tools'}`,
    };
  }
  const parentModel = parent.agent.model;
  const toolset: AgentToolset = {
    type: 'agent_toolset_20260401',
    default_config: { enabled: false, permission_policy: { type: 'always_ask' } },
    configs: wanted.map((name) => ({ ...(granted.get(name) as ToolConfig) })),
  };
  return {
    agent: {
      type: 'inline',
      name: input.name.trim(),
      description: typeof input.description === 'string' ? input.description : null,
      system: input.system,
      model: typeof input.model === 'string' ? { id: input.model } : { ...parentModel },
      tools: wanted.length > 0 ? [toolset] : [],
      mcp_servers: [],
      skills: [],
      execution_identity: { type: 'service_account' },
    },
  };
}

/** The parent's enabled built-in tools, each with the config (policy) it runs under. */
function grantableTools(parent: HarnessSession): Map<string, ToolConfig> {
  const granted = new Map<string, ToolConfig>();
  for (const tool of parent.agent.tools) {
    if (tool.type !== 'agent_toolset_20260401') continue;
    for (const name of BUILTIN_TOOL_NAMES) {
      const config = tool.configs.find((candidate) => candidate.name === name);
      if (!(config?.enabled ?? tool.default_config.enabled)) continue;
      granted.set(name, {
        ...(config ?? {}),
        name,
        type: name,
        enabled: true,
        permission_policy: config?.permission_policy ?? tool.default_config.permission_policy,
      });
    }
  }
  return granted;
}
