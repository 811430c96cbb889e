import { toTimestamp } from '../clock.js';
import { formatUsd } from '../metering/money.js';
import type { LeaseRepository } from '../ports/store.js';
import { outsideWorkspaceScope } from '../workspaces/workspace-scope.js';
import { driveWorkflowRun, type WorkflowDriverDeps } from './workflow-driver.js';
import type { WorkflowRunDoc } from './workflow-run.js';
import { runCost } from './workflow-threads.js';
import type { WorkflowRunSignals } from './workflow-tools.js';

export interface WorkflowRunnerOptions extends WorkflowDriverDeps {
  leases: LeaseRepository;
  nodeId: string;
  leaseTtlMs: number;
  onError?: ((error: unknown, runId: string) => void) | undefined;
}

/** Open runs looked at per sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

/**
 * Drives workflow runs on harness nodes. A run is claimed with a lease (the sessions' lease
 * table, keyed by the run id) renewed while it runs, so one node runs it; after a crash
 * (`kill -9`) the lease lapses and a sweep of any node (this one after a restart: the same node
 * id takes its own lease back at once) resumes the run from its journal (workflow-driver.ts).
 */
export class WorkflowRunner implements WorkflowRunSignals {
  private readonly active = new Map<string, AbortController>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private closing = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly options: WorkflowRunnerOptions) {}

  started(runId: string): void {
    outsideWorkspaceScope(() => this.run(runId));
  }

  async spentUsd(run: WorkflowRunDoc): Promise<string | null> {
    const entries = await (this.options.log.readSession ?? this.options.log.read)(run.session_id);
    const session = await this.options.sessions.load(run.session_id);
    const cost = runCost(
      entries.map((entry) => entry.event),
      new Set(Object.values(run.threads)),
      this.options.clock.now(),
      this.options.prices,
      session?.agent.model.id ?? '',
    );
    return cost === null ? null : formatUsd(cost);
  }

  async start(): Promise<void> {
    this.sweeping = true;
    await this.sweep();
    const every = Math.max(1000, this.options.leaseTtlMs / 2);
    this.sweepTimer = setInterval(() => void this.sweep(), every);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const controller of this.active.values()) controller.abort(new Error('server stopping'));
    if (this.active.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
  }

  /** Every open run no node holds a live lease on. */
  async sweep(): Promise<void> {
    if (this.closing || !this.sweeping) return;
    try {
      const page = await outsideWorkspaceScope(() =>
        this.options.store.resources.list<WorkflowRunDoc>({
          kind: 'workflow_run',
          statuses: ['running'],
          order: 'asc',
          limit: SWEEP_BATCH,
        }),
      );
      for (const record of page.items) this.run(record.id);
    } catch (error) {
      this.options.onError?.(error, '*');
    }
  }

  private run(runId: string): void {
    if (this.closing || !this.sweeping || this.active.has(runId)) return;
    const controller = new AbortController();
    this.active.set(runId, controller);
    void this.drive(runId, controller).finally(() => {
      this.active.delete(runId);
      if (this.active.size > 0) return;
      for (const resolve of this.idleWaiters) resolve();
      this.idleWaiters.clear();
    });
  }

  private async drive(runId: string, controller: AbortController): Promise<void> {
    const { leases, nodeId } = this.options;
    try {
      if (!(await this.acquire(runId))) return;
    } catch (error) {
      this.options.onError?.(error, runId);
      return;
    }
    const renew = setInterval(() => void this.renew(runId, controller), this.options.leaseTtlMs / 3);
    try {
      await driveWorkflowRun(this.options, runId, controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) this.options.onError?.(error, runId);
    } finally {
      clearInterval(renew);
      await leases.release(runId, nodeId).catch((error) => this.options.onError?.(error, runId));
    }
  }

  private acquire(runId: string): Promise<boolean> {
    const now = this.options.clock.now();
    return this.options.leases.acquire(
      runId,
      this.options.nodeId,
      toTimestamp(now + this.options.leaseTtlMs),
      toTimestamp(now),
    );
  }

  private async renew(runId: string, controller: AbortController): Promise<void> {
    try {
      if (!(await this.acquire(runId))) controller.abort(new Error('lease lost'));
    } catch (error) {
      this.options.onError?.(error, runId);
    }
  }
}
