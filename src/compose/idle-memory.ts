import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';

/**
 * Gives memory back once a node has gone quiet (issue #21, decision 0028).
 *
 * V8 grows the young generation to its maximum (16 MiB committed on Node 20) during start-up and
 * under load, and keeps it: a full collection shrinks it again only when it runs while the
 * allocation rate over the last ~5 s is low, which V8's own memory reducer gets to after about
 * 30 s of quiet. This collects `idleMs` after the last request started or ended: one full
 * collection (15 to 40 ms on a quiet machine) per quiet period, never under steady traffic, since
 * every request pushes the deadline back and only one timer is armed at a time, nor while the
 * event loop is busy without requests (turns, streams). A collection that
 * found V8 still counting earlier allocations (the young generation kept its size) is tried again
 * after another quiet `idleMs`, at most `attempts` times in all.
 */
export interface IdleMemory {
  /** A request started or ended: the node is busy, the collection waits for the next quiet spell. */
  activity(): void;
  /** Cancels the pending timer (shutdown). */
  stop(): void;
  /** Whether a collection is waiting for the node to go quiet (tests). */
  pending(): boolean;
}

export interface IdleMemoryOptions {
  /** Quiet time before the collection, in ms. */
  idleMs: number;
  /** The collection, true when it gave memory back; the default is a full V8 garbage collection. */
  collect?: () => boolean;
  /** Collections per quiet period at most (default 3). */
  attempts?: number;
  now?: () => number;
  /** Arms a one-shot timer that must not keep the process alive; returns its cancel. */
  setTimer?: (run: () => void, ms: number) => () => void;
  /**
   * Starts measuring the event loop's load; the returned function tells the fraction of the time
   * since that the loop was busy (default: `performance.eventLoopUtilization`).
   */
  measureLoad?: () => () => number;
}

/**
 * Above this share of busy loop time a period without requests is not quiet: turns driven by the
 * harness, streams being written (the load bench's sessions send no request for seconds while
 * their turns run; collecting then shrank the young generation under load: +3 ms CPU per step).
 */
const BUSY_LOOP_SHARE = 0.02;

const loopLoad = (): (() => number) => {
  const start = performance.eventLoopUtilization();
  return () => performance.eventLoopUtilization(start).utilization;
};

const unrefTimer = (run: () => void, ms: number): (() => void) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export function createIdleMemory(options: IdleMemoryOptions): IdleMemory {
  const { idleMs } = options;
  const collect = options.collect ?? collectGarbage;
  const now = options.now ?? (() => performance.now());
  const setTimer = options.setTimer ?? unrefTimer;
  const attempts = options.attempts ?? 3;
  const measureLoad = options.measureLoad ?? loopLoad;
  let load = measureLoad();
  let lastActivity = now();
  let cancel: (() => void) | undefined;
  let stopped = false;
  let tried = 0;

  const arm = (ms: number) => {
    load = measureLoad();
    cancel = setTimer(fire, ms);
  };

  const fire = () => {
    cancel = undefined;
    if (stopped) return;
    // Busy without requests counts as activity.
    if (load() > BUSY_LOOP_SHARE) lastActivity = now();
    const quietFor = now() - lastActivity;
    // Activity since the timer was armed: wait out the rest of the quiet period instead.
    if (quietFor < idleMs) {
      arm(idleMs - quietFor);
      return;
    }
    tried++;
    if (!collect() && tried < attempts) arm(idleMs);
  };

  return {
    activity() {
      // The hot path: a clock read and, at most once per quiet period, one timer.
      lastActivity = now();
      tried = 0;
      if (cancel === undefined && !stopped) arm(idleMs);
    },
    stop() {
      stopped = true;
      cancel?.();
      cancel = undefined;
    },
    pending: () => cancel !== undefined,
  };
}

/** Every request's start and end is activity; the hooks must be added before the app is ready. */
export function trackIdle(app: FastifyInstance, options: IdleMemoryOptions): IdleMemory {
  const idle = createIdleMemory(options);
  app.addHook('onRequest', (_request, _reply, done) => {
    idle.activity();
    done();
  });
  app.addHook('onResponse', (_request, _reply, done) => {
    idle.activity();
    done();
  });
  return idle;
}

/**
 * One full garbage collection; true when the young generation shrank (or is at its minimum).
 * Node exposes `gc` only with `--expose-gc`, which `node
 * bin/paddock.js` is not given; the flag is set just long enough to fetch `gc` from a fresh
 * context and cleared again, so no context created later (a vm sandbox) gets it.
 */
export function collectGarbage(): boolean {
  const before = youngGenerationBytes();
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) exposed();
  else exposeAndCollect();
  const after = youngGenerationBytes();
  return after < before || after <= 2 * 1024 * 1024;
}

function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

function exposeAndCollect(): void {
  setFlagsFromString('--expose-gc');
  let gc: () => void;
  try {
    gc = runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  gc();
}
