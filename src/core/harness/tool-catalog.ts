import type { ModelToolDefinition } from '../ports/model-provider.js';
import type { CatalogEntry, ExtraTool } from '../ports/tool-runner.js';
import { BUILTIN_TOOL_NAMES, type BuiltinToolName } from '../schemas/agents.js';
import type { AgentSnapshot } from './agent-snapshot.js';
import { BUILTIN_TOOL_DEFINITIONS } from './builtin-tools.js';

export interface ToolCatalog {
  definitions: ModelToolDefinition[];
  lookup(name: string): CatalogEntry | undefined;
}

/** What the model is offered: enabled built-ins, custom tools, and any extras. */
export function buildToolCatalog(agent: AgentSnapshot, extras: readonly ExtraTool[] = []): ToolCatalog {
  const entries = new Map<string, CatalogEntry>();
  const definitions: ModelToolDefinition[] = [];
  const add = (entry: CatalogEntry, definition: ModelToolDefinition) => {
    if (entries.has(entry.name)) return;
    entries.set(entry.name, entry);
    definitions.push(definition);
  };
  for (const tool of agent.tools) {
    if (tool.type === 'agent_toolset_20260401') {
      for (const name of BUILTIN_TOOL_NAMES) {
        const config = tool.configs.find((candidate) => candidate.name === name);
        const enabled = config?.enabled ?? tool.default_config.enabled;
        if (!enabled) continue;
        const policy = config?.permission_policy ?? tool.default_config.permission_policy;
        add({ kind: 'builtin', name, policy }, BUILTIN_TOOL_DEFINITIONS[name as BuiltinToolName]);
      }
    } else if (tool.type === 'custom') {
      add(
        { kind: 'custom', name: tool.name, policy: { type: 'always_allow' } },
        { name: tool.name, description: tool.description, input_schema: tool.input_schema },
      );
    }
  }
  for (const extra of extras) add(extra.entry, extra.definition);
  return { definitions, lookup: (name) => entries.get(name) };
}

/** The names the agent's own tools hold; extra tools (MCP) must not take them. */
export function agentToolNames(agent: AgentSnapshot): ReadonlySet<string> {
  return new Set(buildToolCatalog(agent).definitions.map((definition) => definition.name));
}
