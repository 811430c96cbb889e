import type { SessionRunner } from '../ports/session-runner.js';
import type { FleetRepository, LeaseRepository } from '../ports/store.js';
import { isStoreUnavailable } from '../store-unavailable.js';
import { keyAt, stepPosition } from './append-keys.js';
import { FoldCheckpoints } from './fold-checkpoints.js';
import { NodeLiveness } from './node-liveness.js';
import type { RunDependencies } from './run-session.js';
import { runSession } from './run-session.js';
import { runThreads, type ThreadKicks } from './run-threads.js';
import { SessionOwnership, type Takeover } from './session-ownership.js';
import { retryingLog, retryingSessions } from './store-retry.js';
import type { ThreadDirectory } from './thread-directory.js';

export type { Takeover } from './session-ownership.js';

export interface HarnessOptions extends RunDependencies {
  leases: LeaseRepository;
  /** This node's identity in the lease table. */
  nodeId: string;
  leaseTtlMs?: number;
  onError?: (error: unknown, sessionId: string) => void;
  /** Multi-agent sessions: child threads run beside the primary one. */
  threads?: { directory: ThreadDirectory; kicks: ThreadKicks } | undefined;
  /** Node heartbeats: ownership by liveness (docs/scale-out.md). Without it, leases alone decide. */
  fleet?: FleetOptions | undefined;
  /**
   * This node took a session over from a dead or draining node, before its first step here
   * (a workspace restore belongs here). Awaited; a failure is reported and the turn goes on.
   */
  onTakeover?: ((takeover: Takeover) => Promise<void> | void) | undefined;
}

export interface FleetOptions {
  repository: FleetRepository;
  heartbeatMs: number;
  nodeTtlMs: number;
  /** How long a drain lets running turns finish before it stops them and hands them off. */
  drainTimeoutMs: number;
  /** Wakes a session on every node: a draining node lets go of a session that has new input. */
  resignal?: ((sessionId: string) => void) | undefined;
}

/** At most this many lost-signal sessions are woken per sweep; the next sweep takes the rest. */
const AWAITING_INPUT_BATCH = 200;

interface ActiveRun {
  controller: AbortController;
  /** New input arrived during the run: go round once more before letting go. */
  dirty: boolean;
  recovering: boolean;
}

function stopRun(run: ActiveRun): void {
  run.dirty = true;
  run.controller.abort(new Error('interrupted by the user'));
}

/**
 * The brain, stateless: it keeps only which sessions it is driving right now.
 * `notify` wakes a session; `start` wakes every session the log says is
 * unfinished (after a crash, or when another node's lease lapsed) and every
 * session whose input no harness has answered (a wake-up signal was lost).
 */
export class Harness implements SessionRunner {
  private readonly active = new Map<string, ActiveRun>();
  private readonly idleWaiters = new Set<() => void>();
  private readonly drainHooks: Array<() => Promise<void>> = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Draining: running turns finish, nothing new is taken, sessions go to other nodes. */
  private draining = false;
  /** Before `start`, this node drives nothing: an API-only node (PADDOCK_HARNESS=false) never starts. */
  private started = false;
  private readonly leaseTtlMs: number;
  private readonly deps: RunDependencies;
  private readonly liveness: NodeLiveness | undefined;
  private readonly ownership: SessionOwnership;

  constructor(private readonly options: HarnessOptions) {
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
    // A database restart mid-turn is waited out (up to a lease's life), not turned into an error.
    const retry = {
      maxWaitMs: this.leaseTtlMs,
      onWait: (error: unknown) => options.onError?.(error, 'database unavailable, retrying'),
    };
    this.deps = {
      ...options,
      // One node's checkpoints of every session it drives or drove (decision 0025).
      folds: options.folds ?? new FoldCheckpoints(),
      log: retryingLog(options.log, retry),
      sessions: retryingSessions(options.sessions, retry),
    };
    const fleet = options.fleet;
    this.liveness = fleet
      ? new NodeLiveness({
          fleet: fleet.repository,
          nodeId: options.nodeId,
          clock: options.clock,
          heartbeatMs: fleet.heartbeatMs,
          nodeTtlMs: fleet.nodeTtlMs,
          onError: (error) => options.onError?.(error, 'node heartbeat'),
        })
      : undefined;
    this.ownership = new SessionOwnership({
      leases: options.leases,
      fleet: fleet?.repository,
      liveness: this.liveness,
      nodeId: options.nodeId,
      clock: options.clock,
      leaseTtlMs: this.leaseTtlMs,
      onError: options.onError,
    });
  }

  notify(sessionId: string): void {
    this.wake(sessionId, false);
  }

  interrupt(sessionId: string): void {
    const run = this.active.get(sessionId);
    if (!run) this.wake(sessionId, false);
    else if (!this.options.threads) stopRun(run);
    // An interrupt naming one child thread stops that thread only (run-threads.ts).
    else
      this.options.threads.kicks.interruptThread(sessionId).then(
        (handled) => handled || stopRun(run),
        () => stopRun(run),
      );
  }

  /** Heartbeats, then wakes unfinished sessions now and whenever a lease may have lapsed. */
  async start(): Promise<void> {
    await this.liveness?.start();
    this.started = true;
    await this.sweep();
    const every = Math.max(1000, Math.min(this.leaseTtlMs, this.liveness?.ttlMs ?? Infinity) / 2);
    this.sweepTimer = setInterval(() => void this.sweep(), every);
    this.sweepTimer.unref();
  }

  /** Sweeps now: the bus reconnected, so signals sent while it was down may have been lost. */
  sweepSoon(): void {
    void this.sweep();
  }

  /** Runs during a drain, after the last turn here ended and before the node leaves the fleet. */
  onDrain(hook: () => Promise<void>): void {
    this.drainHooks.push(hook);
  }

  /**
   * SIGTERM: stop taking sessions, tell the fleet (others may take this node's sessions from
   * now on), let running turns finish (past `drainTimeoutMs`, stop them: the log keeps their
   * place and another node carries on), run the drain hooks, then leave the fleet.
   */
  async drain(): Promise<void> {
    if (!this.started || this.draining || this.stopped) return;
    this.draining = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.liveness?.drain();
    const limit = setTimeout(() => {
      for (const run of this.active.values()) run.controller.abort(new Error('node draining'));
    }, this.options.fleet?.drainTimeoutMs ?? 60_000);
    await this.whenIdle();
    clearTimeout(limit);
    for (const hook of this.drainHooks) await hook().catch((error) => this.options.onError?.(error, 'drain'));
    await this.liveness?.stop('gone');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const run of this.active.values()) run.controller.abort(new Error('server stopping'));
    await this.whenIdle();
    if (this.started) await this.liveness?.stop('gone');
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
    if (this.stopped || this.draining) return;
    try {
      for (const id of await this.options.sessions.listUnfinished())
        if (!this.active.has(id)) this.wake(id, true);
      const fleet = this.options.fleet?.repository;
      // Input whose wake-up signal was lost (the bus was down): only its owner, or anyone if the
      // owner is dead or draining, gets the lease; the others try and step back.
      for (const id of (await fleet?.sessionsAwaitingInput(AWAITING_INPUT_BATCH)) ?? [])
        if (!this.active.has(id)) this.wake(id, false);
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
    // Draining: every node heard the same signal, and this one's sessions are theirs to take.
    if (this.draining) return;
    const run: ActiveRun = { controller: new AbortController(), dirty: false, recovering };
    this.active.set(sessionId, run);
    void this.drive(sessionId, run);
  }

  private async drive(sessionId: string, run: ActiveRun): Promise<void> {
    try {
      for (;;) {
        const { held, takeover } = await this.ownership.take(sessionId);
        // Another node owns the session (it is live and ran it last, or holds a running lease).
        if (!held) return;
        this.options.telemetry?.lease('taken');
        this.options.tools.expect?.(sessionId);
        if (takeover) {
          // The previous owner may have died mid-step: recover as after a crash.
          run.recovering = true;
          await this.reportTakeover(takeover);
        }
        const release = this.ownership.keep(sessionId, () => {
          this.options.telemetry?.lease('lost');
          run.controller.abort(new Error('lease lost'));
        });
        try {
          do {
            run.dirty = false;
            if (run.controller.signal.aborted) run.controller = new AbortController();
            await this.runOnce(sessionId, run);
          } while (run.dirty && !this.stopped && !this.draining);
        } finally {
          release();
        }
        const abortedByDrain = this.draining && run.controller.signal.aborted;
        await this.ownership.handOff(sessionId).then(
          () => this.options.telemetry?.lease('released'),
          (error) => this.options.onError?.(error, sessionId),
        );
        // Input that landed during the hand-off is this node's to answer, unless it is leaving.
        if (this.draining && (run.dirty || abortedByDrain)) this.options.fleet?.resignal?.(sessionId);
        if (!run.dirty || this.stopped || this.draining) return;
      }
    } catch (error) {
      this.options.onError?.(error, sessionId);
    } finally {
      this.active.delete(sessionId);
      this.options.log.forget?.(sessionId);
      this.deps.folds?.forget(sessionId);
      if (this.active.size === 0) {
        for (const resolve of this.idleWaiters) resolve();
        this.idleWaiters.clear();
      }
    }
  }

  private async reportTakeover(takeover: Takeover): Promise<void> {
    try {
      await this.options.onTakeover?.(takeover);
    } catch (error) {
      this.options.onError?.(error, takeover.sessionId);
    }
  }

  private async runOnce(sessionId: string, run: ActiveRun): Promise<void> {
    const recovering = run.recovering;
    run.recovering = false;
    try {
      const options = { sessionId, signal: run.controller.signal, recovering };
      const threads = this.options.threads;
      if (threads) await runThreads({ ...this.deps, ...threads }, options);
      else await runSession(this.deps, options);
    } catch (error) {
      if (run.controller.signal.aborted) return;
      this.options.onError?.(error, sessionId);
      // The database stayed away longer than a lease: nothing failed but the connection. Leave
      // the log as it is; a sweep picks the session up again once the database is back.
      if (isStoreUnavailable(error)) return;
      // Never leave a session stuck in `running`: report and go idle (keyed, in case the log can be read).
      const position = await this.options.log.read(sessionId).then(stepPosition, () => undefined);
      await this.options.log
        .append(
          sessionId,
          [
            {
              type: 'session.error',
              error: {
                type: 'unknown_error',
                message: error instanceof Error ? error.message : String(error),
                retry_status: { type: 'exhausted' },
              },
            },
            { type: 'session.status_idle', stop_reason: { type: 'retries_exhausted' }, stop_details: null },
          ],
          position && keyAt(position, 'unknown_error'),
        )
        .catch((appendError) => this.options.onError?.(appendError, sessionId));
    }
  }
}
