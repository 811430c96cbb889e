import type { AgentService } from '../agents/agent-service.js';
import { resolveModel, resolveTools } from '../agents/resolve-tools.js';
import type { Agent, AgentReference, McpServer } from '../domain/agent.js';
import type { SessionAgent, SessionMultiagent, ThreadAgent } from '../domain/session.js';
import { invalidRequest, notFound } from '../errors.js';
import type { ToolParam } from '../schemas/agents.js';
import type { SessionAgentParam } from '../schemas/sessions.js';

type AgentLookup = Pick<AgentService, 'find'>;

/**
 * Resolves the `agent` param of session create into the snapshot the session
 * runs: the latest or a pinned version, overrides applied with the same
 * resolution rules as agents, rosters expanded into full definitions.
 */
export async function resolveSessionAgent(
  param: SessionAgentParam,
  agents: AgentLookup,
): Promise<SessionAgent> {
  const ref = typeof param === 'string' ? { type: 'agent' as const, id: param } : param;
  const version = ref.version ?? undefined;
  const agent = await agents.find(ref.id, version);
  if (!agent) {
    if (version !== undefined && (await agents.find(ref.id)))
      throw notFound('Agent version', `${ref.id}@${version}`, 'agent_version_not_found');
    throw notFound('Agent', ref.id);
  }
  if (agent.archived_at)
    throw invalidRequest(`agent: agent ${agent.id} is archived and cannot start sessions`);
  const base = await snapshotAgent(agent, agents);
  if (ref.type !== 'agent_with_overrides') return base;
  const mcpServers = ref.mcp_servers?.map(toMcpServer) ?? base.mcp_servers;
  const toolsChanged = ref.tools !== undefined || ref.mcp_servers !== undefined;
  return {
    ...base,
    model: ref.model === undefined ? base.model : resolveModel(ref.model),
    system: ref.system === undefined ? base.system : ref.system,
    mcp_servers: mcpServers,
    tools: toolsChanged
      ? resolveTools((ref.tools ?? base.tools) as readonly ToolParam[], mcpServers)
      : base.tools,
    skills:
      ref.skills?.map((skill) => ({
        type: skill.type,
        skill_id: skill.skill_id,
        version: skill.version ?? 'latest',
      })) ?? base.skills,
  };
}

/** Applies a session update's `agent:{tools?, mcp_servers?}` to the current snapshot. */
export function overrideSessionTools(
  current: SessionAgent,
  update: { tools?: readonly ToolParam[] | undefined; mcp_servers?: readonly McpServer[] | undefined },
): SessionAgent {
  const mcpServers = update.mcp_servers?.map(toMcpServer) ?? current.mcp_servers;
  return {
    ...current,
    mcp_servers: mcpServers,
    tools: resolveTools((update.tools ?? current.tools) as readonly ToolParam[], mcpServers),
  };
}

export function toThreadAgent(agent: Agent | SessionAgent): ThreadAgent {
  return {
    type: 'agent',
    id: agent.id,
    version: agent.version,
    name: agent.name,
    description: agent.description,
    system: agent.system,
    model: agent.model,
    tools: agent.tools,
    mcp_servers: agent.mcp_servers,
    skills: agent.skills,
    execution_identity: agent.execution_identity,
  };
}

async function snapshotAgent(agent: Agent, agents: AgentLookup): Promise<SessionAgent> {
  return { ...toThreadAgent(agent), multiagent: await expandRoster(agent, agents) };
}

async function expandRoster(agent: Agent, agents: AgentLookup): Promise<SessionMultiagent | null> {
  const roster = agent.multiagent;
  if (!roster) return null;
  const expand = async (ref: AgentReference): Promise<ThreadAgent> => {
    if (ref.id === agent.id) return toThreadAgent(agent);
    const member = await agents.find(ref.id, ref.version);
    if (!member) throw notFound('Agent version', `${ref.id}@${ref.version}`, 'agent_version_not_found');
    return toThreadAgent(member);
  };
  if (roster.type === 'coordinator') {
    return {
      type: 'coordinator',
      agents: await Promise.all(
        roster.agents.map((entry) => (entry.type === 'agent' ? expand(entry) : Promise.resolve(entry))),
      ),
    };
  }
  const delegation = async (value: typeof roster.subagents) =>
    value.type === 'enabled'
      ? { ...value, predefined_agents: await Promise.all(value.predefined_agents.map(expand)) }
      : value;
  return {
    type: 'multiagent_20261001',
    advisor: roster.advisor,
    subagents: await delegation(roster.subagents),
    workflows: await delegation(roster.workflows),
  };
}

function toMcpServer(server: { name: string; url: string }): McpServer {
  return { type: 'url', name: server.name, url: server.url };
}
