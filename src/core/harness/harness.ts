import { toTimestamp } from '../clock.js';
import type { SessionRunner } from '../ports/session-runner.js';
import { type LeaseRepository, RELEASED_LEASE } from '../ports/store.js';
import type { RunDependencies } from './run-session.js';
import { runSession } from './run-session.js';
import { runThreads, type ThreadKicks } from './run-threads.js';
import type { ThreadDirectory } from './thread-directory.js';

export interface HarnessOptions extends RunDependencies {
  leases: LeaseRepository;
  /** This node's identity in the lease table. */
  nodeId: string;
  leaseTtlMs?: number;
  onError?: (error: unknown, sessionId: string) => void;
  /** Multi-agent sessions: child threads run beside the primary one. */
  threads?: { directory: ThreadDirectory; kicks: ThreadKicks } | undefined;
}

/**
 * How long a node waits before taking a session another (live) node ran last. That node wakes
 * on the same signal and takes it at once; if it is gone, this is all the turn is delayed.
 */
const AFFINITY_WAIT_MS = 300;

interface ActiveRun {
  controller: AbortController;
  /** New input arrived during the run: go round once more before letting go. */
  dirty: boolean;
  recovering: boolean;
}

/**
 * The brain, stateless: it keeps only which sessions it is driving right now.
 * `notify` wakes a session; `start` wakes every session the log says is
 * unfinished (after a crash, or when another node's lease lapsed).
 */
export class Harness implements SessionRunner {
  private readonly active = new Map<string, ActiveRun>();
  private readonly idleWaiters = new Set<() => void>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Before `start`, this node drives nothing: an API-only node (PADDOCK_HARNESS=false) never starts. */
  private started = false;
  private readonly leaseTtlMs: number;

  constructor(private readonly options: HarnessOptions) {
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
  }

  notify(sessionId: string): void {
    this.wake(sessionId, false);
  }

  interrupt(sessionId: string): void {
    const run = this.active.get(sessionId);
    if (run) {
      run.dirty = true;
      run.controller.abort(new Error('interrupted by the user'));
    } else {
      this.wake(sessionId, false);
    }
  }

  /** Wakes unfinished sessions now and whenever a lease may have lapsed. */
  async start(): Promise<void> {
    this.started = true;
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), Math.max(1000, this.leaseTtlMs / 2));
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const run of this.active.values()) run.controller.abort(new Error('server stopping'));
    await this.whenIdle();
  }

  /** Resolves when no session is being driven (tests and graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  isDriving(sessionId: string): boolean {
    return this.active.has(sessionId);
  }

  private async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      const ids = await this.options.sessions.listUnfinished();
      for (const id of ids) if (!this.active.has(id)) this.wake(id, true);
    } catch (error) {
      this.options.onError?.(error, '*');
    }
  }

  private wake(sessionId: string, recovering: boolean): void {
    if (this.stopped || !this.started) return;
    const existing = this.active.get(sessionId);
    if (existing) {
      existing.dirty = true;
      return;
    }
    const run: ActiveRun = { controller: new AbortController(), dirty: false, recovering };
    this.active.set(sessionId, run);
    void this.drive(sessionId, run);
  }

  private async drive(sessionId: string, run: ActiveRun): Promise<void> {
    const { leases, nodeId, clock } = this.options;
    let renewTimer: NodeJS.Timeout | undefined;
    try {
      const acquire = () =>
        leases.acquire(
          sessionId,
          nodeId,
          toTimestamp(clock.now() + this.leaseTtlMs),
          toTimestamp(clock.now()),
        );
      // The node that ran the session last holds its sandbox files: give it the first chance.
      if (!run.recovering) {
        const last = await leases.holder(sessionId);
        if (last && last.owner !== nodeId && last.expiresAt === RELEASED_LEASE)
          await new Promise((resolve) => setTimeout(resolve, AFFINITY_WAIT_MS));
      }
      // Another node holds a live lease: it is driving the session; our bus signal reached it too.
      if (!(await acquire())) return;
      renewTimer = setInterval(() => {
        void acquire().then((held) => {
          if (!held) run.controller.abort(new Error('lease lost'));
        });
      }, this.leaseTtlMs / 3);
      renewTimer.unref();
      do {
        run.dirty = false;
        if (run.controller.signal.aborted) run.controller = new AbortController();
        await this.runOnce(sessionId, run);
      } while (run.dirty && !this.stopped);
    } catch (error) {
      this.options.onError?.(error, sessionId);
    } finally {
      if (renewTimer) clearInterval(renewTimer);
      this.active.delete(sessionId);
      this.options.log.forget?.(sessionId);
      await leases.handOff(sessionId, nodeId).catch(() => undefined);
      if (this.active.size === 0) {
        for (const resolve of this.idleWaiters) resolve();
        this.idleWaiters.clear();
      }
    }
  }

  private async runOnce(sessionId: string, run: ActiveRun): Promise<void> {
    const recovering = run.recovering;
    run.recovering = false;
    try {
      const options = { sessionId, signal: run.controller.signal, recovering };
      const threads = this.options.threads;
      if (threads) await runThreads({ ...this.options, ...threads }, options);
      else await runSession(this.options, options);
    } catch (error) {
      if (run.controller.signal.aborted) return;
      this.options.onError?.(error, sessionId);
      // Never leave a session stuck in `running`: report and go idle.
      await this.options.log
        .append(sessionId, [
          {
            type: 'session.error',
            error: {
              type: 'unknown_error',
              message: error instanceof Error ? error.message : String(error),
              retry_status: { type: 'exhausted' },
            },
          },
          { type: 'session.status_idle', stop_reason: { type: 'retries_exhausted' }, stop_details: null },
        ])
        .catch((appendError) => this.options.onError?.(appendError, sessionId));
    }
  }
}
