import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { Session } from '../domain/session.js';
import { invalidRequest, isPaddockError } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { DeploymentRunRow } from '../ports/deployment-run-store.js';
import type { ResourceRecord, Store } from '../ports/store.js';
import type { WebhookOutbox } from '../ports/webhook-outbox.js';
import type { SessionCreateInput } from '../schemas/sessions.js';
import type { SessionCreateOptions } from '../sessions/session-service.js';
import type { DeploymentRun, RunError, RunStatus, StoredDeployment, TriggerContext } from './deployment.js';
import type { DeploymentService } from './deployment-service.js';
import { type RunOutcome, runOutcome } from './run-outcome.js';

export interface DeploymentRunnerDeps {
  store: Store;
  ids: IdGenerator;
  clock: Clock;
  deployments: Pick<DeploymentService, 'record' | 'sessionResources' | 'pause'>;
  /** SessionCommands.create: the same path as POST /v1/sessions (harness signal, self-hosted work). */
  createSession(input: SessionCreateInput, options: SessionCreateOptions): Promise<Session>;
  /** The session's list cost so far (metering), null when it cannot be priced. */
  cost(sessionId: string): Promise<DeploymentRun['cost']>;
  webhooks: WebhookOutbox;
}

/**
 * Fires a deployment: records a run, creates the session from the deployment's template (its
 * initial events start the work) and follows the session to its outcome. Scheduled runs are
 * claimed by their unique (deployment, tick) row before anything else, so two nodes firing
 * the same tick create one session.
 */
export class DeploymentRunner {
  constructor(private readonly deps: DeploymentRunnerDeps) {}

  /** A manual run: allowed while paused (not when archived), never skipped. */
  async runNow(deploymentId: string): Promise<DeploymentRun> {
    const found = await this.deps.deployments.record(deploymentId);
    if (found.doc.archived_at) throw invalidRequest(`deployment ${deploymentId} is archived and cannot run`);
    const row = this.newRow(found, { type: 'manual' });
    await this.deps.store.deploymentRuns.insert(row);
    return this.start(found, row);
  }

  /**
   * A scheduled tick: false when another node recorded it first. While the previous run's
   * session is still working the tick is recorded as `skipped` and creates no session.
   */
  async fireTick(found: ResourceRecord<StoredDeployment>, scheduledAt: string): Promise<boolean> {
    const row = this.newRow(found, { type: 'schedule', scheduled_at: scheduledAt });
    const busy = await this.busyRun(found.id);
    if (busy) {
      row.status = 'skipped';
      row.doc.status = 'skipped';
      row.doc.status_reason = `the previous run ${busy.id} (session ${busy.sessionId}) was still running`;
      row.doc.ended_at = row.createdAt;
    }
    if (!(await this.deps.store.deploymentRuns.insert(row))) return false;
    if (!busy) await this.start(found, row);
    return true;
  }

  /**
   * Moves a started run on when its session has an outcome. Conditional on the stored status,
   * so with several nodes reconciling, one records the outcome and publishes its webhook.
   */
  async reconcile(row: DeploymentRunRow): Promise<void> {
    if (row.status !== 'started') return;
    if (!row.sessionId) {
      // Claimed but no session: the firing node stopped in between (or is still creating it).
      if (this.deps.clock.now() - Date.parse(row.createdAt) < ORPHAN_AFTER_MS) return;
      const failed = this.withStatus(
        row,
        'failed',
        'the node firing this run stopped before its session existed',
      );
      failed.hasError = true;
      failed.doc.error = { type: 'unknown_error', message: failed.doc.status_reason ?? '' };
      if ((await this.deps.store.deploymentRuns.update(failed, 'started')) && row.triggerType === 'schedule')
        await this.publish('deployment_run.failed', failed);
      return;
    }
    const outcome = await runOutcome(this.deps.store, row.sessionId);
    if (outcome.status === 'started') return;
    await this.finish(row, outcome);
  }

  /** A run whose session is still at work blocks the next tick (no overlapping runs). */
  private async busyRun(deploymentId: string): Promise<DeploymentRunRow | undefined> {
    const latest = await this.deps.store.deploymentRuns.latest(deploymentId, { statuses: ['started'] });
    if (!latest?.sessionId) return undefined;
    const outcome = await runOutcome(this.deps.store, latest.sessionId);
    if (outcome.status !== 'started') {
      await this.finish(latest, outcome);
      return undefined;
    }
    return outcome.working ? latest : undefined;
  }

  private async start(
    found: ResourceRecord<StoredDeployment>,
    row: DeploymentRunRow,
  ): Promise<DeploymentRun> {
    const deployment = found.doc;
    const scheduled = row.triggerType === 'schedule';
    let session: Session;
    try {
      session = await this.deps.createSession(
        {
          agent: { type: 'agent', id: deployment.agent.id, version: deployment.agent.version },
          environment_id: deployment.environment_id,
          resources: await this.deps.deployments.sessionResources(deployment),
          vault_ids: deployment.vault_ids,
          metadata: deployment.metadata,
          budget: deployment.budget as SessionCreateInput['budget'],
          initial_events: deployment.initial_events,
          title: deployment.name,
        },
        { deploymentId: deployment.id },
      );
    } catch (error) {
      const runError = toRunError(error);
      const failed = this.withStatus(row, 'failed', runError.message);
      failed.hasError = true;
      failed.doc.error = runError;
      await this.deps.store.deploymentRuns.update(failed, row.status);
      if (scheduled) {
        await this.publish('deployment_run.failed', failed);
        // A missing or archived dependency fails every later fire too: stop firing until fixed.
        if (AUTO_PAUSING.has(runError.type))
          await this.deps.deployments.pause(deployment.id, { type: 'error', error: { type: runError.type } });
      }
      return failed.doc;
    }
    const started: DeploymentRunRow = {
      ...row,
      sessionId: session.id,
      doc: { ...row.doc, session_id: session.id },
    };
    await this.deps.store.deploymentRuns.update(started, row.status);
    if (scheduled) await this.publish('deployment_run.started', started);
    return started.doc;
  }

  private async finish(row: DeploymentRunRow, outcome: RunOutcome): Promise<void> {
    const finished = this.withStatus(row, outcome.status, outcome.reason ?? null);
    finished.doc.cost = row.sessionId ? await this.deps.cost(row.sessionId).catch(() => null) : null;
    if (!(await this.deps.store.deploymentRuns.update(finished, 'started'))) return;
    if (row.triggerType === 'schedule')
      await this.publish(
        outcome.status === 'succeeded' ? 'deployment_run.succeeded' : 'deployment_run.failed',
        finished,
      );
  }

  private withStatus(row: DeploymentRunRow, status: RunStatus, reason: string | null): DeploymentRunRow {
    const now = toTimestamp(this.deps.clock.now());
    return {
      ...row,
      status,
      updatedAt: now,
      doc: { ...row.doc, status, status_reason: reason, ended_at: status === 'started' ? null : now },
    };
  }

  private newRow(found: ResourceRecord<StoredDeployment>, trigger: TriggerContext): DeploymentRunRow {
    const now = toTimestamp(this.deps.clock.now());
    const id = this.deps.ids.next('deploymentRun');
    return {
      id,
      deploymentId: found.id,
      workspaceId: found.workspaceId ?? 'wrkspc_default',
      triggerType: trigger.type,
      scheduledAt: trigger.type === 'schedule' ? trigger.scheduled_at : null,
      sessionId: null,
      status: 'started',
      hasError: false,
      createdAt: now,
      updatedAt: now,
      doc: {
        type: 'deployment_run',
        id,
        deployment_id: found.id,
        agent: found.doc.agent,
        trigger_context: trigger,
        session_id: null,
        error: null,
        created_at: now,
        status: 'started',
        status_reason: null,
        cost: null,
        ended_at: null,
      },
    };
  }

  /** Manual runs emit no `deployment_run.*` webhooks (the hosted rule); their session's do. */
  private async publish(type: string, row: DeploymentRunRow): Promise<void> {
    try {
      await this.deps.webhooks.publish({ type, id: row.id, workspaceId: row.workspaceId });
    } catch {
      // Publishing never fails a run (the port's contract); the run row is the record.
    }
  }
}

/** A claimed run still without a session this long after its claim is given up as failed. */
const ORPHAN_AFTER_MS = 5 * 60_000;

const AUTO_PAUSING = new Set([
  'environment_archived_error',
  'environment_not_found_error',
  'agent_archived_error',
  'vault_not_found_error',
  'vault_archived_error',
  'file_not_found_error',
  'memory_store_archived_error',
  'session_resource_not_found_error',
]);

/** Session creation's refusals as the SDK's run error types; the first matching rule wins. */
const ERROR_RULES: ReadonlyArray<[type: string, matches: (code: string, message: string) => boolean]> = [
  ['environment_archived_error', (code) => code === 'environment_archived'],
  ['environment_not_found_error', (code) => code === 'environment_not_found'],
  ['vault_not_found_error', (code) => code === 'vault_not_found'],
  ['file_not_found_error', (code) => code === 'file_not_found'],
  ['session_resource_not_found_error', (code) => code === 'memory_store_not_found'],
  ['agent_archived_error', (_, message) => /^agent: .* archived/.test(message)],
  ['vault_archived_error', (_, message) => /^vault_ids\[\d+\]: .* archived/.test(message)],
  ['memory_store_archived_error', (_, message) => /memory store .* archived/.test(message)],
];

/** Session creation's refusal as the SDK's run error types. */
export function toRunError(error: unknown): RunError {
  const message = error instanceof Error ? error.message : String(error);
  if (!isPaddockError(error)) return { type: 'unknown_error', message };
  const rule = ERROR_RULES.find(([, matches]) => matches(error.errorCode ?? '', message));
  if (rule) return { type: rule[0], message };
  if (error.code === 'rate_limited' || error.code === 'overloaded')
    return { type: 'session_rate_limited_error', message };
  if (['invalid_request', 'not_found', 'conflict', 'permission'].includes(error.code))
    return { type: 'session_creation_rejected_error', message };
  return { type: 'unknown_error', message };
}
