import type { AgentService } from '../agents/agent-service.js';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { AgentReference } from '../domain/agent.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Cursor, ResourcePage, ResourceRecord, Store } from '../ports/store.js';
import type { WebhookOutbox } from '../ports/webhook-outbox.js';
import { applyMetadataPatch } from '../schemas/common.js';
import type { SessionResourceParam } from '../schemas/sessions.js';
import { assertSameWorkspace } from '../workspaces/same-workspace.js';
import { CronSchedule } from './cron-schedule.js';
import type { Deployment, DeploymentPausedReason, StoredDeployment } from './deployment.js';
import type { DeploymentCreateInput, DeploymentUpdateInput } from './deployment-schemas.js';

/** How many upcoming fire times a deployment shows (the SDK's `upcoming_runs_at`: up to 5). */
const UPCOMING = 5;

export interface DeploymentServiceDeps {
  store: Store;
  ids: IdGenerator;
  clock: Clock;
  agents: Pick<AgentService, 'find'>;
  /** Seals repository tokens: write-only on the wire, needed again at every fire. */
  sealer: { seal(ownerId: string, plaintext: string): string; open(ownerId: string, sealed: string): string };
  webhooks: WebhookOutbox;
}

export interface DeploymentListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  agentId?: string | undefined;
  status?: 'active' | 'paused' | undefined;
  includeArchived?: boolean | undefined;
  createdAt?: { gte?: string | undefined; lte?: string | undefined } | undefined;
}

/** Deployments: `deployment` resource rows; their runs are DeploymentRunner's. */
export class DeploymentService {
  constructor(private readonly deps: DeploymentServiceDeps) {}

  async create(input: DeploymentCreateInput): Promise<Deployment> {
    const { ids, clock } = this.deps;
    const agent = await this.pinAgent(input.agent);
    await this.checkEnvironment(input.environment_id);
    const vaultIds = await this.checkVaults(input.vault_ids ?? []);
    const now = toTimestamp(clock.now());
    const deployment: StoredDeployment = {
      type: 'deployment',
      id: ids.next('deployment'),
      name: input.name,
      description: input.description ?? null,
      agent,
      environment_id: input.environment_id,
      initial_events: input.initial_events,
      resources: withoutTokens(input.resources ?? []),
      vault_ids: vaultIds,
      budget: input.budget ?? null,
      metadata: input.metadata ?? {},
      schedule: input.schedule ?? null,
      schedule_since: input.schedule ? now : null,
      status: 'active',
      paused_reason: null,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.resources.insert(record(deployment));
      await this.storeTokens(tx, deployment.id, input.resources ?? []);
    });
    await this.publish('deployment.created', deployment.id);
    return this.view(deployment);
  }

  async retrieve(id: string): Promise<Deployment> {
    return this.view((await this.record(id)).doc);
  }

  /** The stored row (with its workspace); a foreign or missing id is a 404 alike. */
  async record(id: string, store: Store = this.deps.store): Promise<ResourceRecord<StoredDeployment>> {
    const found = await store.resources.get<StoredDeployment>('deployment', id);
    if (!found) throw notFound('Deployment', id);
    return found;
  }

  async update(id: string, input: DeploymentUpdateInput): Promise<Deployment> {
    if ((await this.record(id)).doc.archived_at)
      throw invalidRequest(`deployment ${id} is archived and cannot be updated`);
    // What the input names is checked first, outside the transaction that holds the row.
    const agent = input.agent === undefined ? undefined : await this.pinAgent(input.agent);
    if (input.environment_id !== undefined) await this.checkEnvironment(input.environment_id);
    const vaultIds =
      input.vault_ids === undefined ? undefined : await this.checkVaults(input.vault_ids ?? []);
    const now = toTimestamp(this.deps.clock.now());
    const { doc, changed } = await this.change(id, async (current, tx) => {
      if (current.archived_at) throw invalidRequest(`deployment ${id} is archived and cannot be updated`);
      const schedule = input.schedule === undefined ? current.schedule : input.schedule;
      const scheduleChanged = JSON.stringify(schedule) !== JSON.stringify(current.schedule);
      const next: StoredDeployment = {
        ...current,
        name: input.name ?? current.name,
        description: input.description === undefined ? current.description : input.description || null,
        agent: agent ?? current.agent,
        environment_id: input.environment_id ?? current.environment_id,
        initial_events: input.initial_events ?? current.initial_events,
        resources: input.resources === undefined ? current.resources : withoutTokens(input.resources ?? []),
        vault_ids: vaultIds ?? current.vault_ids,
        budget: input.budget === undefined ? current.budget : input.budget,
        metadata: applyMetadataPatch(current.metadata, input.metadata),
        schedule,
        // A changed schedule counts from now: no tick of the old one, or before now, fires late.
        schedule_since: scheduleChanged ? (schedule ? now : null) : current.schedule_since,
      };
      if (JSON.stringify(next) === JSON.stringify(current) && input.resources === undefined) return undefined;
      if (input.resources !== undefined) await this.storeTokens(tx, id, input.resources ?? []);
      return { ...next, updated_at: now };
    });
    if (changed) await this.publish('deployment.updated', id);
    return this.view(doc);
  }

  async pause(id: string, reason: DeploymentPausedReason = { type: 'manual' }): Promise<Deployment> {
    const { doc, changed } = await this.change(id, (current) => {
      if (current.archived_at) throw invalidRequest(`deployment ${id} is archived and cannot be paused`);
      if (current.status === 'paused') return undefined;
      return { ...current, status: 'paused' as const, paused_reason: reason, updated_at: this.now() };
    });
    if (changed) await this.publish('deployment.paused', id);
    return this.view(doc);
  }

  /** Resumes from the next tick: ticks that fell while paused are not backfilled. */
  async unpause(id: string): Promise<Deployment> {
    const { doc, changed } = await this.change(id, (current) => {
      if (current.archived_at) throw invalidRequest(`deployment ${id} is archived and cannot be unpaused`);
      if (current.status === 'active') return undefined;
      const now = this.now();
      return {
        ...current,
        status: 'active' as const,
        paused_reason: null,
        schedule_since: current.schedule ? now : null,
        updated_at: now,
      };
    });
    if (changed) await this.publish('deployment.unpaused', id);
    return this.view(doc);
  }

  /** Terminal: the schedule stops and the deployment can no longer be changed. */
  async archive(id: string): Promise<Deployment> {
    const { doc, changed } = await this.change(id, (current) => {
      if (current.archived_at) return undefined;
      const now = this.now();
      return { ...current, archived_at: now, updated_at: now };
    });
    if (changed) await this.publish('deployment.archived', id);
    return this.view(doc);
  }

  /**
   * One read-modify-write of the deployment, with its row held (getForUpdate) until commit: a
   * concurrent update, pause or archive waits and then sees this one's result. `compute`
   * returns undefined to leave the row as it is.
   */
  private async change(
    id: string,
    compute: (
      current: StoredDeployment,
      tx: Store,
    ) => StoredDeployment | undefined | Promise<StoredDeployment | undefined>,
  ): Promise<{ doc: StoredDeployment; changed: boolean }> {
    return this.deps.store.transaction(async (tx) => {
      const current = await tx.resources.getForUpdate<StoredDeployment>('deployment', id);
      if (!current) throw notFound('Deployment', id);
      const next = await compute(current.doc, tx);
      if (next === undefined) return { doc: current.doc, changed: false };
      await tx.resources.update(record(next));
      return { doc: next, changed: true };
    });
  }

  async list(options: DeploymentListOptions): Promise<ResourcePage<Deployment>> {
    const page = await this.deps.store.resources.list<StoredDeployment>({
      kind: 'deployment',
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      refId: options.agentId,
      statuses: options.status ? [options.status] : undefined,
      includeArchived: options.includeArchived,
      createdAt: options.createdAt,
    });
    const items = await Promise.all(
      page.items.map(async (item) => ({ ...item, doc: await this.view(item.doc) })),
    );
    return { items, hasMore: page.hasMore };
  }

  /** The resources a session from this deployment gets, repository tokens restored. */
  async sessionResources(deployment: StoredDeployment): Promise<SessionResourceParam[]> {
    const sealed = await this.deps.store.secrets.get(tokenOwner(deployment.id));
    const tokens: Record<string, string> = sealed
      ? JSON.parse(this.deps.sealer.open(tokenOwner(deployment.id), sealed))
      : {};
    return deployment.resources.map((resource, index): SessionResourceParam => {
      const param = resource as SessionResourceParam;
      const token = tokens[String(index)];
      return token !== undefined && param.type === 'github_repository'
        ? { ...param, authorization_token: token }
        : param;
    });
  }

  /** The wire object: the stored row plus the schedule's computed times. */
  async view(deployment: StoredDeployment): Promise<Deployment> {
    const { schedule_since: _since, schedule, ...rest } = deployment;
    if (!schedule) return { ...rest, schedule: null };
    const last = await this.deps.store.deploymentRuns.latest(deployment.id, {
      triggerType: 'schedule',
      statuses: ['started', 'succeeded', 'failed'],
    });
    const upcoming = deployment.archived_at
      ? []
      : new CronSchedule(schedule.expression, schedule.timezone).next(this.deps.clock.now(), UPCOMING);
    return {
      ...rest,
      schedule: {
        ...schedule,
        last_run_at: last?.doc.session_id ? last.createdAt : null,
        upcoming_runs_at: upcoming.map(toTimestamp),
      },
    };
  }

  private now(): string {
    return toTimestamp(this.deps.clock.now());
  }

  /** After the change committed; a failure to publish never fails the request (the port's contract). */
  private async publish(type: string, id: string): Promise<void> {
    try {
      const found = await this.deps.store.resources.get('deployment', id);
      if (found?.workspaceId) await this.deps.webhooks.publish({ type, id, workspaceId: found.workspaceId });
    } catch {
      // The deployment row is the record; the event is best effort here.
    }
  }

  /** An agent id pins its latest version; `{type, id, version}` pins that one. */
  private async pinAgent(param: DeploymentCreateInput['agent']): Promise<AgentReference> {
    const ref = typeof param === 'string' ? { id: param, version: undefined } : param;
    const agent = await this.deps.agents.find(ref.id, ref.version ?? undefined);
    if (!agent) throw notFound('Agent', ref.version ? `${ref.id}@${ref.version}` : ref.id);
    assertSameWorkspace('agent', await this.deps.store.resources.get('agent', agent.id));
    if (agent.archived_at) throw invalidRequest(`agent: agent ${agent.id} is archived`);
    return { type: 'agent', id: agent.id, version: agent.version };
  }

  private async checkEnvironment(id: string): Promise<void> {
    const found = await this.deps.store.resources.get('environment', id);
    if (!found) throw notFound('Environment', id);
    assertSameWorkspace('environment_id', found);
    if (found.archivedAt) throw invalidRequest(`environment_id: environment ${id} is archived`);
  }

  private async checkVaults(vaultIds: readonly string[]): Promise<string[]> {
    for (const [index, vaultId] of vaultIds.entries()) {
      const found = await this.deps.store.resources.get('vault', vaultId);
      if (!found) throw notFound('Vault', vaultId);
      assertSameWorkspace(`vault_ids[${index}]`, found);
      if (found.archivedAt) throw invalidRequest(`vault_ids[${index}]: vault ${vaultId} is archived`);
    }
    return [...new Set(vaultIds)];
  }

  private async storeTokens(store: Store, id: string, resources: readonly SessionResourceParam[]) {
    const tokens = Object.fromEntries(
      resources.flatMap((resource, index) =>
        resource.type === 'github_repository' && resource.authorization_token !== undefined
          ? [[String(index), resource.authorization_token]]
          : [],
      ),
    );
    if (Object.keys(tokens).length === 0) await store.secrets.delete(tokenOwner(id));
    else
      await store.secrets.put(tokenOwner(id), this.deps.sealer.seal(tokenOwner(id), JSON.stringify(tokens)));
  }
}

const tokenOwner = (deploymentId: string) => `${deploymentId}:resource-tokens`;

function withoutTokens(resources: readonly SessionResourceParam[]): StoredDeployment['resources'] {
  return resources.map((resource) => {
    if (resource.type !== 'github_repository') return resource;
    const { authorization_token: _token, ...rest } = resource;
    return rest;
  });
}

function record(deployment: StoredDeployment): ResourceRecord<StoredDeployment> {
  return {
    kind: 'deployment',
    id: deployment.id,
    parentId: null,
    name: null,
    status: deployment.status,
    refId: deployment.agent.id,
    refVersion: deployment.agent.version,
    createdAt: deployment.created_at,
    updatedAt: deployment.updated_at,
    archivedAt: deployment.archived_at,
    doc: deployment,
  };
}
