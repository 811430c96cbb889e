import type { Agent, AgentReference, Delegation, Multiagent } from '../domain/agent.js';
import { invalidRequest } from '../errors.js';
import type { MultiagentParam, RosterEntryParam } from '../schemas/agents.js';

/** The most predefined agents one list may hold (the SDK: at most 20). */
export const MAX_PREDEFINED_AGENTS = 20;

export type AgentLookup = (id: string, version?: number) => Promise<Agent | undefined>;

interface SelfInfo {
  id: string;
  version: number;
  name: string;
}

/**
 * Resolves a roster into pinned references. Delegation is one level deep:
 * a roster member must not itself coordinate others.
 */
export async function resolveMultiagent(
  param: MultiagentParam | null | undefined,
  self: SelfInfo,
  lookup: AgentLookup,
): Promise<Multiagent | null> {
  if (!param) return null;
  if (param.type === 'coordinator') {
    let selves = 0;
    const names = new Set<string>();
    const agents: Multiagent & { type: 'coordinator' } = { type: 'coordinator', agents: [] };
    for (const [index, entry] of param.agents.entries()) {
      const where = `multiagent.agents[${index}]`;
      if (typeof entry === 'object' && entry.type === 'advisor') {
        agents.agents.push({ type: 'advisor', model: entry.model });
        continue;
      }
      if (typeof entry === 'object' && entry.type === 'self') {
        selves += 1;
        if (selves > 1) throw invalidRequest(`${where}: a roster may include {type:"self"} at most once`);
      }
      const { reference, name } = await resolveEntry(entry, self, lookup, where);
      if (names.has(name))
        throw invalidRequest(`${where}: roster names must be unique; ${JSON.stringify(name)} repeats`);
      names.add(name);
      agents.agents.push(reference);
    }
    return agents;
  }
  // A member sent as null (or omitted on create) takes its default: enabled, inline agents allowed.
  const delegation = async (value: typeof param.subagents, field: string): Promise<Delegation> => {
    if (value?.type === 'disabled') return { type: 'disabled' };
    const predefined: AgentReference[] = [];
    const entries = value?.predefined_agents ?? [];
    if (entries.length > MAX_PREDEFINED_AGENTS)
      throw invalidRequest(`multiagent.${field}.predefined_agents: at most ${MAX_PREDEFINED_AGENTS} agents`);
    for (const [index, entry] of entries.entries()) {
      const where = `multiagent.${field}.predefined_agents[${index}]`;
      const { reference } = await resolveEntry(entry, self, lookup, where);
      // A thread is spawned by the agent's name, so each agent is listed once (self included).
      if (predefined.some((known) => known.id === reference.id))
        throw invalidRequest(`${where}: agent ${reference.id} is listed twice; list each agent once`);
      predefined.push(reference);
    }
    const inline = value?.inline_agents?.type ?? 'enabled';
    if (inline === 'disabled' && predefined.length === 0) {
      throw invalidRequest(
        `multiagent.${field}.predefined_agents: name at least one agent when inline_agents is disabled`,
      );
    }
    return { type: 'enabled', inline_agents: { type: inline }, predefined_agents: predefined };
  };
  return {
    type: 'multiagent_20261001',
    advisor:
      param.advisor?.type === 'enabled'
        ? { type: 'enabled', model: param.advisor.model }
        : { type: 'disabled' },
    subagents: await delegation(param.subagents, 'subagents'),
    workflows: await delegation(param.workflows, 'workflows'),
  };
}

async function resolveEntry(
  entry: Exclude<RosterEntryParam, { type: 'advisor' }>,
  self: SelfInfo,
  lookup: AgentLookup,
  where: string,
): Promise<{ reference: AgentReference; name: string }> {
  if (typeof entry === 'object' && entry.type === 'self') {
    return { reference: { type: 'agent', id: self.id, version: self.version }, name: self.name };
  }
  const id = typeof entry === 'string' ? entry : entry.id;
  const version = typeof entry === 'string' ? undefined : (entry.version ?? undefined);
  if (id === self.id) return { reference: { type: 'agent', id, version: self.version }, name: self.name };
  const agent = await lookup(id, version);
  if (!agent)
    throw invalidRequest(
      `${where}: agent ${JSON.stringify(id)}${version ? ` version ${version}` : ''} not found`,
    );
  if (agent.archived_at) throw invalidRequest(`${where}: agent ${id} is archived and cannot join a roster`);
  if (agent.multiagent) {
    throw invalidRequest(`${where}: agent ${id} is itself multiagent; delegation is one level deep`);
  }
  return { reference: { type: 'agent', id: agent.id, version: agent.version }, name: agent.name };
}
