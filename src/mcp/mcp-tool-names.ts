import type { McpToolset } from '../core/domain/agent.js';
import type { HarnessSession } from '../core/ports/harness-sessions.js';
import type { ModelToolDefinition } from '../core/ports/model-provider.js';
import type { ExtraTool } from '../core/ports/tool-runner.js';

type AgentSnapshot = HarnessSession['agent'];

/** A tool as an MCP server lists it. */
export interface McpToolInfo {
  name: string;
  description?: string | undefined;
  inputSchema: { type: 'object'; [key: string]: unknown };
}

export interface ServerTools {
  serverName: string;
  tools: readonly McpToolInfo[];
}

const MAX_NAME = 128;

/** Model APIs accept `^[A-Za-z0-9_-]{1,128}$`; MCP names may hold dots, slashes, spaces. */
function validName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_NAME);
  return cleaned.length > 0 ? cleaned : 'tool';
}

export function mcpToolsetFor(agent: AgentSnapshot, serverName: string): McpToolset | undefined {
  for (const tool of agent.tools) {
    if (tool.type === 'mcp_toolset' && tool.mcp_server_name === serverName) return tool;
  }
  return undefined;
}

/**
 * The MCP tools offered to the model. A tool keeps its remote name (cleaned
 * to be valid) unless that name is taken by the agent's own tools or by a
 * tool of another server: then every holder of the name gets the
 * `<server>__` prefix, so the outcome does not depend on server order.
 * Per-tool `enabled: false` hides a tool; per-tool policy beats the default.
 */
export function buildMcpTools(
  agent: AgentSnapshot,
  servers: readonly ServerTools[],
  reserved: ReadonlySet<string>,
): ExtraTool[] {
  const candidates: Array<{ serverName: string; tool: McpToolInfo; base: string }> = [];
  for (const { serverName, tools } of servers) {
    const toolset = mcpToolsetFor(agent, serverName);
    if (!toolset) continue;
    for (const tool of tools) {
      const config = toolset.configs.find((candidate) => candidate.name === tool.name);
      if (!(config?.enabled ?? toolset.default_config.enabled)) continue;
      candidates.push({ serverName, tool, base: validName(tool.name) });
    }
  }
  const counts = new Map<string, number>();
  for (const { base } of candidates) counts.set(base, (counts.get(base) ?? 0) + 1);
  const taken = new Set(reserved);
  const out: ExtraTool[] = [];
  for (const { serverName, tool, base } of candidates) {
    const collides = (counts.get(base) ?? 0) > 1 || reserved.has(base);
    const first = collides ? validName(`${serverName}__${tool.name}`) : base;
    let name = first;
    // A prefixed name can still clash (e.g. truncation); number it rather than drop the tool.
    for (let n = 2; taken.has(name); n++) name = `${first.slice(0, MAX_NAME - 1 - String(n).length)}_${n}`;
    taken.add(name);
    const toolset = mcpToolsetFor(agent, serverName);
    const config = toolset?.configs.find((candidate) => candidate.name === tool.name);
    const policy = config?.permission_policy ?? toolset?.default_config.permission_policy;
    const definition: ModelToolDefinition = {
      name,
      description: tool.description ?? '',
      input_schema: tool.inputSchema,
    };
    out.push({
      entry: {
        kind: 'mcp',
        name,
        policy: policy ?? { type: 'always_ask' },
        mcpServerName: serverName,
        remoteName: tool.name,
      },
      definition,
    });
  }
  return out;
}
