import { type Clock, toTimestamp } from '../clock.js';
import type { LeaseRepository } from '../ports/store.js';
import { outsideWorkspaceScope } from '../workspaces/workspace-scope.js';
import type { DreamSignals } from './dream-service.js';
import { type DreamWorkDeps, runDream } from './dream-work.js';

export interface DreamRunnerOptions extends DreamWorkDeps {
  leases: LeaseRepository;
  /** This node's identity in the lease table (the harness's). */
  nodeId: string;
  clock: Clock;
  leaseTtlMs: number;
  onError?: ((error: unknown, dreamId: string) => void) | undefined;
}

/** Dreams looked at per sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

/**
 * Runs dreams on harness nodes. A dream is claimed with a lease in the database (the sessions'
 * lease table, keyed by the dream id), renewed while it runs, so exactly one node runs it; after
 * a crash (`kill -9`) the lease lapses and the next sweep of any node starts the dream again
 * from its inputs (dream-work.ts is safe to repeat). A cancel aborts the run here at once; on
 * another node, its lease renewal reads the status and stops.
 */
export class DreamRunner implements DreamSignals {
  private readonly active = new Map<string, AbortController>();
  private readonly idleWaiters = new Set<() => void>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly options: DreamRunnerOptions) {}

  created(dreamId: string): void {
    outsideWorkspaceScope(() => this.run(dreamId));
  }

  canceled(dreamId: string): void {
    this.active.get(dreamId)?.abort(new Error('dream canceled'));
  }

  async start(): Promise<void> {
    this.started = true;
    await this.sweep();
    const every = Math.max(1000, this.options.leaseTtlMs / 2);
    this.sweepTimer = setInterval(() => void this.sweep(), every);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const controller of this.active.values()) controller.abort(new Error('server stopping'));
    await this.whenIdle();
  }

  whenIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /** Every pending or running dream no node holds a live lease on. */
  async sweep(): Promise<void> {
    if (this.stopped || !this.started) return;
    try {
      for (const id of await outsideWorkspaceScope(() => this.options.dreams.live(SWEEP_BATCH))) this.run(id);
    } catch (error) {
      this.options.onError?.(error, '*');
    }
  }

  private run(dreamId: string): void {
    if (this.stopped || !this.started || this.active.has(dreamId)) return;
    const controller = new AbortController();
    this.active.set(dreamId, controller);
    void this.drive(dreamId, controller).finally(() => {
      this.active.delete(dreamId);
      if (this.active.size > 0) return;
      for (const resolve of this.idleWaiters) resolve();
      this.idleWaiters.clear();
    });
  }

  private async drive(dreamId: string, controller: AbortController): Promise<void> {
    const { leases, nodeId } = this.options;
    try {
      if (!(await this.acquire(dreamId))) return;
    } catch (error) {
      this.options.onError?.(error, dreamId);
      return;
    }
    const renew = setInterval(() => void this.renew(dreamId, controller), this.options.leaseTtlMs / 3);
    try {
      await runDream(this.options, dreamId, controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) this.options.onError?.(error, dreamId);
    } finally {
      clearInterval(renew);
      await leases.release(dreamId, nodeId).catch((error) => this.options.onError?.(error, dreamId));
    }
  }

  private acquire(dreamId: string): Promise<boolean> {
    const now = this.options.clock.now();
    return this.options.leases.acquire(
      dreamId,
      this.options.nodeId,
      toTimestamp(now + this.options.leaseTtlMs),
      toTimestamp(now),
    );
  }

  /** Keeps the lease; stops the run when it is lost or the dream was canceled (from any node). */
  private async renew(dreamId: string, controller: AbortController): Promise<void> {
    try {
      if (!(await this.acquire(dreamId))) return controller.abort(new Error('lease lost'));
      const record = await outsideWorkspaceScope(() => this.options.dreams.record(dreamId));
      if (record.doc.dream.status === 'canceled') controller.abort(new Error('dream canceled'));
    } catch (error) {
      this.options.onError?.(error, dreamId);
    }
  }
}
