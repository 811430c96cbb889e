import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { Cursor, ResourceRecord, Store } from '../ports/store.js';
import { DEFAULT_WORKSPACE_ID, runInWorkspaceScope } from '../workspaces/workspace-scope.js';
import { CronSchedule } from './cron-schedule.js';
import type { StoredDeployment } from './deployment.js';
import type { DeploymentRunner } from './deployment-runner.js';

export interface SchedulerSettings {
  /** How often a node looks for due ticks and finished runs (real time). */
  intervalMs: number;
  /**
   * The missed-tick rule: a tick is fired only while `now - tick` is within this window, and
   * only the latest tick in it. After downtime longer than the window nothing is caught up;
   * after a shorter one, exactly one run for the most recent missed tick.
   */
  startingDeadlineMs: number;
}

export interface DeploymentSchedulerDeps {
  store: Store;
  clock: Clock;
  runner: DeploymentRunner;
  settings: SchedulerSettings;
  onError(error: unknown, deploymentId?: string): void;
}

/**
 * Runs on every harness node. Holds no schedule state of its own: each pass reads the
 * deployments, computes each one's latest due tick from the clock and fires it through the
 * runner, whose unique (deployment, tick) row lets exactly one node win. So any number of
 * nodes, restarts and `kill -9` never fire a tick twice, and a restarted node picks up where
 * the database says things are.
 */
export class DeploymentScheduler {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly deps: DeploymentSchedulerDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  /** One pass: fire due ticks, then move finished runs on. Tests call it after advancing the clock. */
  async tick(): Promise<void> {
    for await (const found of this.scheduledDeployments()) {
      try {
        await this.fireDue(found);
      } catch (error) {
        this.deps.onError(error, found.id);
      }
    }
    for (const row of await this.deps.store.deploymentRuns.listByStatus('started', 200)) {
      try {
        await this.deps.runner.reconcile(row);
      } catch (error) {
        this.deps.onError(error, row.deploymentId);
      }
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass = this.tick()
        .catch((error) => this.deps.onError(error))
        .finally(() => this.schedule(this.deps.settings.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private async fireDue(found: ResourceRecord<StoredDeployment>): Promise<void> {
    const { schedule, schedule_since: since } = found.doc;
    if (!schedule || !since) return;
    const now = this.deps.clock.now();
    const from = Math.max(Date.parse(since), now - this.deps.settings.startingDeadlineMs);
    const due = new CronSchedule(schedule.expression, schedule.timezone).latestIn(from, now);
    if (due === undefined) return;
    const scheduledAt = toTimestamp(due);
    // Cheap read first: on most passes the latest tick was fired already (by us or a peer).
    const last = await this.deps.store.deploymentRuns.latest(found.id, { triggerType: 'schedule' });
    if (last?.scheduledAt && last.scheduledAt >= scheduledAt) return;
    // Sessions are created in the deployment's workspace, as its owner's request would.
    await runInWorkspaceScope(
      { workspaceId: found.workspaceId ?? DEFAULT_WORKSPACE_ID, confined: true, actor: 'scheduler' },
      () => this.deps.runner.fireTick(found, scheduledAt),
    );
  }

  /** Active, unarchived deployments with a schedule, across every workspace. */
  private async *scheduledDeployments(): AsyncGenerator<ResourceRecord<StoredDeployment>> {
    let cursor: Cursor | undefined;
    for (;;) {
      const page = await this.deps.store.resources.list<StoredDeployment>({
        kind: 'deployment',
        statuses: ['active'],
        order: 'asc',
        limit: 200,
        cursor,
      });
      for (const item of page.items) if (item.doc.schedule) yield item;
      const last = page.items[page.items.length - 1];
      if (!page.hasMore || !last) return;
      cursor = { createdAt: last.createdAt, id: last.id, direction: 'next' };
    }
  }
}
