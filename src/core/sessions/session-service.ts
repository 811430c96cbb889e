import type { AgentService } from '../agents/agent-service.js';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { Session, SessionAgent, SessionThread } from '../domain/session.js';
import { emptyUsage, isTerminated, newSessionThread } from '../domain/session.js';
import type { EnvironmentDocument } from '../environments/environment.js';
import { environmentRepositories } from '../environments/repositories.js';
import { conflict, invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { ResourcePage, Store } from '../ports/store.js';
import { applyMetadataPatch } from '../schemas/common.js';
import type { SessionCreateInput, SessionUpdateInput } from '../schemas/sessions.js';
import { pinSessionSkills } from '../skills/roster-skills.js';
import type { SkillParamLike } from '../skills/skill-references.js';
import { assertSameWorkspace } from '../workspaces/same-workspace.js';
import { BoundedMemo } from './bounded-memo.js';
import { toDraft, validateInitialEvents } from './client-events.js';
import type { EventLog, LoggedEvent } from './event-log.js';
import { overrideSessionTools, resolveSessionAgent, toThreadAgent } from './resolve-session-agent.js';
import { assertBudgetable, type BudgetPolicy, budgetChange } from './session-budget.js';
import { listSessions, listUnfinishedSessions, type SessionListOptions } from './session-list.js';
import { sessionRecord } from './session-record.js';
import { assertDistinctMounts, buildResources, type SecretSealer, storeTokens } from './session-resources.js';
import { sessionThreads, threadRecords } from './session-threads.js';

export type { SessionListOptions } from './session-list.js';

export interface SessionServiceDeps {
  store: Store;
  ids: IdGenerator;
  clock: Clock;
  agents: Pick<AgentService, 'find'>;
  log: EventLog;
  sealer: SecretSealer;
  /** Budget rules that need prices and spend (model_not_budgetable, budget_not_raised). */
  budgets?: BudgetPolicy | undefined;
  /** The owning workspace's monthly spend limit (core/workspaces/workspace-spend.ts). */
  workspaceSpend?: { limitReached(workspaceId: string): Promise<boolean> } | undefined;
  /** Pins the agent's skills to the versions they are at when the session starts (core/skills/). */
  skills?:
    | { pin(params: readonly SkillParamLike[], field?: string): Promise<SessionAgent['skills']> }
    | undefined;
}

export interface SessionCreateOptions {
  /** Set when a deployment run creates the session: the session records it as `deployment_id`. */
  deploymentId?: string | undefined;
}

/** Sessions: creation resolves and snapshots the agent; every later change goes through the log. */
export class SessionService {
  /** Each session's workspace (null: none), for the spend check before every model call. */
  private readonly workspaces = new BoundedMemo<string | null | undefined>();

  constructor(private readonly deps: SessionServiceDeps) {}

  /** Creates the session (and its primary thread), then appends `initial_events`. */
  async create(
    input: SessionCreateInput,
    options: SessionCreateOptions = {},
  ): Promise<{ session: Session; initialEvents: LoggedEvent[] }> {
    const { store, ids, clock } = this.deps;
    const resolved = await resolveSessionAgent(input.agent, this.deps.agents);
    const agent = this.deps.skills ? await pinSessionSkills(resolved, this.deps.skills) : resolved;
    assertSameWorkspace('agent', await store.resources.get('agent', agent.id));
    if (input.budget) assertBudgetable(agent, this.deps.budgets);
    const environment = await this.usableEnvironment(input.environment_id);
    const vaultIds = await this.usableVaults(input.vault_ids ?? []);
    const now = toTimestamp(clock.now());
    const explicit = await buildResources(input.resources ?? [], { store, ids, now });
    const explicitMounts = new Set(explicit.map((built) => built.resource.mount_path));
    // The environment's repositories come first; an explicit resource at the same path wins.
    const inherited = await buildResources(
      environmentRepositories(environment).filter((param) => !explicitMounts.has(param.mount_path)),
      { store, ids, now },
      'environment repositories',
    );
    const built = [...inherited, ...explicit];
    assertDistinctMounts(built.map((entry) => entry.resource));
    await validateInitialEvents(input.initial_events ?? [], store);
    const session: Session = {
      type: 'session',
      id: ids.next('session'),
      title: input.title ?? null,
      status: 'idle',
      agent,
      environment_id: environment.id,
      resources: built.map((entry) => entry.resource),
      vault_ids: vaultIds,
      metadata: input.metadata ?? {},
      budget: input.budget ?? null,
      usage: emptyUsage(),
      stats: { active_seconds: 0, duration_seconds: 0 },
      outcome_evaluations: [],
      created_at: now,
      updated_at: now,
      archived_at: null,
      ...(options.deploymentId ? { deployment_id: options.deploymentId } : {}),
    };
    const thread = newSessionThread({
      id: ids.next('thread'),
      sessionId: session.id,
      parentThreadId: null,
      agent: toThreadAgent(agent),
      now,
    });
    await store.transaction(async (tx) => {
      await tx.resources.insert(sessionRecord(session));
      await tx.resources.insert({
        ...sessionRecord(session),
        kind: 'thread',
        id: thread.id,
        parentId: session.id,
        doc: thread,
      });
      await storeTokens(tx, this.deps.sealer, built);
      // One row per attached memory store, so sessions.list can filter by memory_store_id.
      for (const { resource } of built)
        if (resource.type === 'memory_store')
          await tx.resources.insert({
            ...sessionRecord(session),
            kind: 'session_resource',
            id: resource.id,
            parentId: session.id,
            refId: resource.memory_store_id,
            refVersion: null,
            status: 'memory_store',
            doc: resource,
          });
    });
    const drafts = (input.initial_events ?? []).map((event) => toDraft(event, ids));
    const initialEvents = drafts.length > 0 ? await this.deps.log.append(session.id, drafts) : [];
    return { session: initialEvents.length > 0 ? await this.retrieve(session.id) : session, initialEvents };
  }

  /** True when the session's workspace has spent its monthly limit: new turns stop (budget_reached). */
  async workspaceSpendReached(id: string): Promise<boolean> {
    const spend = this.deps.workspaceSpend;
    if (!spend) return false;
    // A session never changes workspace: its record is read once, not before every model call.
    const workspaceId = await this.workspaces.get(id, async () => {
      const record = await this.deps.store.resources.get('session', id);
      return record ? (record.workspaceId ?? null) : undefined;
    });
    return typeof workspaceId === 'string' && (await spend.limitReached(workspaceId));
  }

  async retrieve(id: string): Promise<Session> {
    const record = await this.deps.store.resources.get<Session>('session', id);
    if (!record) throw notFound('Session', id);
    return record.doc;
  }

  async update(id: string, input: SessionUpdateInput): Promise<Session> {
    if (input.vault_ids !== undefined)
      throw invalidRequest("vault_ids: a session's vaults are fixed at creation and cannot be updated");
    const current = await this.retrieve(id);
    if (isTerminated(current)) throw invalidRequest(`session ${id} is terminated and cannot be updated`);
    const changes: Partial<Pick<Session, 'title' | 'metadata' | 'budget' | 'agent'>> = {};
    if (input.title !== undefined && input.title !== current.title) changes.title = input.title;
    if (input.metadata !== undefined) changes.metadata = applyMetadataPatch(current.metadata, input.metadata);
    if (input.budget !== undefined) {
      const budget = await budgetChange(current, input.budget, this.deps.budgets);
      if (budget !== undefined) changes.budget = budget;
    }
    if (
      input.agent !== undefined &&
      (input.agent.tools !== undefined || input.agent.mcp_servers !== undefined)
    ) {
      assertNotRunning(current);
      changes.agent = overrideSessionTools(current.agent, {
        tools: input.agent.tools,
        mcp_servers: input.agent.mcp_servers?.map((server) => ({ ...server, type: 'url' as const })),
      });
    }
    if (Object.keys(changes).length === 0) return current;
    await this.deps.log.append(id, [{ type: 'session.updated', ...changes }], {
      mutateSession: (fresh) => {
        // Re-checked under the append lock: a turn may have started since the read above.
        if (changes.agent) assertNotRunning(fresh);
        return { ...fresh, ...changes };
      },
    });
    return this.retrieve(id);
  }

  list(options: SessionListOptions): Promise<ResourcePage<Session>> {
    return listSessions(this.deps.store, options);
  }

  /** Archive ends the session for good: it reads `terminated` and accepts no more input. */
  async archive(id: string): Promise<Session> {
    const current = await this.retrieve(id);
    if (current.archived_at) return current;
    const now = toTimestamp(this.deps.clock.now());
    await this.deps.log.append(id, [{ type: 'session.status_terminated' }], {
      mutateSession: (fresh) => ({ ...fresh, status: 'terminated', archived_at: fresh.archived_at ?? now }),
    });
    return this.retrieve(id);
  }

  /** Tells live streams (`session.deleted`), then removes the session, its threads, resources and log. */
  async delete(id: string): Promise<{ id: string; type: 'session_deleted' }> {
    const current = await this.retrieve(id);
    await this.deps.log.append(id, [{ type: 'session.deleted' }]);
    await this.deps.store.transaction(async (tx) => {
      for (const resource of current.resources) {
        await tx.secrets.delete(resource.id);
        if (resource.type === 'memory_store') await tx.resources.delete('session_resource', resource.id);
      }
      for (const thread of await threadRecords(tx, id)) await tx.resources.delete('thread', thread.id);
      await tx.events.deleteSession(id);
      await tx.resources.delete('session', id);
    });
    return { id, type: 'session_deleted' };
  }

  /** Threads of a session, the primary first. The primary's status mirrors the session's. */
  async listThreads(id: string): Promise<SessionThread[]> {
    return sessionThreads(this.deps.store, await this.retrieve(id));
  }

  async retrieveThread(sessionId: string, threadId: string): Promise<SessionThread> {
    const thread = (await this.listThreads(sessionId)).find((candidate) => candidate.id === threadId);
    if (!thread) throw notFound('Thread', threadId, 'session_thread_not_found');
    return thread;
  }

  async primaryThreadId(sessionId: string): Promise<string> {
    const primary = (await this.listThreads(sessionId)).find((thread) => thread.parent_thread_id === null);
    if (!primary) throw notFound('Thread', `${sessionId}/primary`, 'session_thread_not_found');
    return primary.id;
  }

  /** For the harness after a restart: sessions whose status says a turn may be unfinished. */
  listUnfinished(): Promise<string[]> {
    return listUnfinishedSessions(this.deps.store);
  }

  private async usableEnvironment(id: string): Promise<EnvironmentDocument> {
    const record = await this.deps.store.resources.get<EnvironmentDocument>('environment', id);
    if (!record) throw notFound('Environment', id);
    assertSameWorkspace('environment_id', record);
    if (record.doc.archived_at)
      throw invalidRequest(`environment_id: environment ${id} is archived and cannot host new sessions`, {
        errorCode: 'environment_archived',
      });
    return record.doc;
  }

  private async usableVaults(vaultIds: readonly string[]): Promise<string[]> {
    for (const [index, vaultId] of vaultIds.entries()) {
      const record = await this.deps.store.resources.get('vault', vaultId);
      if (!record) throw notFound('Vault', vaultId);
      assertSameWorkspace(`vault_ids[${index}]`, record);
      if (record.archivedAt) throw invalidRequest(`vault_ids[${index}]: vault ${vaultId} is archived`);
    }
    return [...new Set(vaultIds)];
  }
}

function assertNotRunning(session: Session): void {
  if (session.status === 'running' || session.status === 'rescheduling') {
    throw conflict(`agent: session ${session.id} is ${session.status}; update its agent while it is idle`, {
      errorCode: 'session_running',
    });
  }
}
