import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { Agent, AgentDefinition, Delegation, McpServer } from '../domain/agent.js';
import { conflict, invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Cursor, ResourcePage, Store, TimeRange } from '../ports/store.js';
import type { AgentCreateInput, AgentUpdateInput, MultiagentParam } from '../schemas/agents.js';
import { applyMetadataPatch } from '../schemas/common.js';
import type { SkillParamLike } from '../skills/skill-references.js';
import { mergeMultiagent } from './merge-multiagent.js';
import { resolveMultiagent } from './resolve-roster.js';
import { resolveModel, resolveTools } from './resolve-tools.js';

export interface AgentListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  includeArchived?: boolean | undefined;
  createdAt?: TimeRange | undefined;
}

/** Agents are versioned: every effective change appends an immutable version. */
export class AgentService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    /** Checks `skills` entries name skills that exist (src/core/skills/skill-references.ts). */
    private readonly skills?: { check(params: readonly SkillParamLike[], field?: string): Promise<void> },
  ) {}

  async create(input: AgentCreateInput): Promise<Agent> {
    await this.skills?.check(input.skills ?? []);
    const id = this.ids.next('agent');
    const now = toTimestamp(this.clock.now());
    const definition = await this.resolveDefinition(id, 1, {
      name: input.name,
      description: input.description ?? null,
      system: input.system ?? null,
      model: input.model,
      tools: input.tools ?? [],
      mcp_servers: input.mcp_servers ?? [],
      skills: input.skills ?? [],
      multiagent: rosterParam(input.multiagent, input.agents),
      metadata: input.metadata ?? {},
      execution_identity: input.execution_identity ?? null,
    });
    const agent: Agent = {
      type: 'agent',
      id,
      ...definition,
      version: 1,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    await this.store.transaction(async (tx) => {
      await tx.resources.insert({ ...recordFields(agent), doc: agent });
      await tx.agentVersions.insert(id, 1, agent);
    });
    return agent;
  }

  async retrieve(id: string, version?: number): Promise<Agent> {
    if (version !== undefined) {
      const found = await this.store.agentVersions.get<Agent>(id, version);
      if (!found) {
        await this.retrieve(id);
        throw notFound('Agent version', `${id}@${version}`, 'agent_version_not_found');
      }
      return found;
    }
    const record = await this.store.resources.get<Agent>('agent', id);
    if (!record) throw notFound('Agent', id);
    return record.doc;
  }

  /** Looks an agent up without throwing; used by rosters and sessions. */
  async find(id: string, version?: number): Promise<Agent | undefined> {
    return findAgent(this.store, id, version);
  }

  async update(id: string, input: AgentUpdateInput): Promise<Agent> {
    if (input.skills) await this.skills?.check(input.skills);
    return this.store.transaction(async (tx) => {
      const record = await tx.resources.getForUpdate<Agent>('agent', id);
      if (!record) throw notFound('Agent', id);
      const current = record.doc;
      if (current.archived_at) throw invalidRequest(`agent ${id} is archived and cannot be updated`);
      if (input.version !== undefined && input.version !== current.version) {
        throw conflict(
          `version: agent ${id} is at version ${current.version}, not ${input.version}; retrieve it and retry`,
          { errorCode: 'agent_version_conflict', details: { current_version: current.version } },
        );
      }
      const nextVersion = current.version + 1;
      const multiagentInput =
        input.multiagent !== undefined || input.agents !== undefined
          ? rosterParam(input.multiagent, input.agents ?? undefined)
          : undefined;
      const definition = await this.resolveDefinition(
        id,
        nextVersion,
        {
          name: input.name ?? current.name,
          description: input.description === undefined ? current.description : input.description,
          system: input.system === undefined ? current.system : input.system,
          model: input.model ?? current.model,
          tools: input.tools === undefined ? current.tools : (input.tools ?? []),
          mcp_servers: input.mcp_servers === undefined ? current.mcp_servers : (input.mcp_servers ?? []),
          skills: input.skills === undefined ? current.skills : (input.skills ?? []),
          multiagent:
            multiagentInput === undefined
              ? current.multiagent
              : multiagentInput && mergeMultiagent(current.multiagent, multiagentInput),
          metadata: applyMetadataPatch(current.metadata, input.metadata),
          execution_identity:
            input.execution_identity === undefined ? current.execution_identity : input.execution_identity,
        },
        tx,
      );
      // A no-op update does not mint a version (spec §8, our decision).
      if (isDeepStrictEqual(definition, pickDefinition(current, nextVersion))) return current;
      const agent: Agent = {
        ...current,
        ...definition,
        version: nextVersion,
        updated_at: toTimestamp(this.clock.now()),
      };
      await tx.resources.update({ ...recordFields(agent), doc: agent });
      await tx.agentVersions.insert(id, nextVersion, agent);
      return agent;
    });
  }

  async archive(id: string): Promise<Agent> {
    // The row is held until commit: an update racing the archive cannot un-archive it.
    return this.store.transaction(async (tx) => {
      const record = await tx.resources.getForUpdate<Agent>('agent', id);
      if (!record) throw notFound('Agent', id);
      if (record.doc.archived_at) return record.doc;
      const now = toTimestamp(this.clock.now());
      const agent: Agent = { ...record.doc, archived_at: now, updated_at: now };
      await tx.resources.update({ ...recordFields(agent), doc: agent });
      return agent;
    });
  }

  list(options: AgentListOptions): Promise<ResourcePage<Agent>> {
    return this.store.resources.list<Agent>({
      kind: 'agent',
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      includeArchived: options.includeArchived,
      createdAt: options.createdAt,
    });
  }

  async listVersions(
    id: string,
    limit: number,
    beforeVersion?: number,
  ): Promise<{ items: Agent[]; hasMore: boolean }> {
    await this.retrieve(id);
    const rows = await this.store.agentVersions.list<Agent>(id, { limit: limit + 1, beforeVersion });
    return { items: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  private async resolveDefinition(
    id: string,
    version: number,
    input: {
      name: string;
      description: string | null;
      system: string | null;
      model: AgentCreateInput['model'] | Agent['model'];
      tools: AgentCreateInput['tools'] | Agent['tools'];
      mcp_servers: McpServer[];
      skills: NonNullable<AgentCreateInput['skills']>;
      multiagent: MultiagentParam | Agent['multiagent'] | null | undefined;
      metadata: Record<string, string>;
      execution_identity: Agent['execution_identity'] | null;
    },
    // Inside an update's transaction, roster lookups must use it: on SQLite a second connection waits forever.
    store: Pick<Store, 'resources' | 'agentVersions'> = this.store,
  ): Promise<AgentDefinition> {
    const mcpServers = input.mcp_servers.map((server) => ({
      type: 'url' as const,
      name: server.name,
      url: server.url,
    }));
    return {
      name: input.name,
      description: input.description,
      system: input.system,
      model: resolveModel(input.model as AgentCreateInput['model']),
      tools: resolveTools((input.tools ?? []) as NonNullable<AgentCreateInput['tools']>, mcpServers),
      mcp_servers: mcpServers,
      skills: input.skills.map((skill) => ({
        type: skill.type,
        skill_id: skill.skill_id,
        version: skill.version ?? 'latest',
      })),
      multiagent: await resolveMultiagent(
        input.multiagent as MultiagentParam | null | undefined,
        { id, version, name: input.name },
        (agentId, agentVersion) => findAgent(store, agentId, agentVersion),
      ),
      metadata: input.metadata,
      execution_identity: input.execution_identity ?? { type: 'service_account' },
    };
  }
}

async function findAgent(
  store: Pick<Store, 'resources' | 'agentVersions'>,
  id: string,
  version?: number,
): Promise<Agent | undefined> {
  if (version !== undefined) return store.agentVersions.get<Agent>(id, version);
  return (await store.resources.get<Agent>('agent', id))?.doc;
}

function rosterParam(
  multiagent: MultiagentParam | null | undefined,
  guideRoster: Array<{ agent_id: string; name?: string | undefined }> | undefined,
): MultiagentParam | null | undefined {
  if (guideRoster !== undefined && guideRoster !== null) {
    if (multiagent)
      throw invalidRequest('agents: give either multiagent or agents (the guide form), not both');
    return {
      type: 'coordinator',
      agents: guideRoster.map((entry) => ({ type: 'agent', id: entry.agent_id })),
    };
  }
  return multiagent;
}

/** Roster self-references carry the version; compare against the version being minted. */
function pickDefinition(agent: Agent, nextVersion: number): AgentDefinition {
  const { type: _t, id, version, created_at: _c, updated_at: _u, archived_at: _a, ...definition } = agent;
  const bump = <T extends { type: string }>(entry: T): T =>
    entry.type === 'agent' &&
    'id' in entry &&
    entry.id === id &&
    'version' in entry &&
    entry.version === version
      ? { ...entry, version: nextVersion }
      : entry;
  const multiagent = definition.multiagent;
  if (multiagent?.type === 'coordinator') {
    return { ...definition, multiagent: { ...multiagent, agents: multiagent.agents.map(bump) } };
  }
  if (multiagent?.type === 'multiagent_20261001') {
    const members = (value: Delegation): Delegation =>
      value.type === 'enabled' ? { ...value, predefined_agents: value.predefined_agents.map(bump) } : value;
    return {
      ...definition,
      multiagent: {
        ...multiagent,
        subagents: members(multiagent.subagents),
        workflows: members(multiagent.workflows),
      },
    };
  }
  return definition;
}

function recordFields(agent: Agent) {
  return {
    kind: 'agent' as const,
    id: agent.id,
    parentId: null,
    name: null,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: agent.created_at,
    updatedAt: agent.updated_at,
    archivedAt: agent.archived_at,
  };
}
