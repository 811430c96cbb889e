import { randomBytes } from 'node:crypto';
import type { SandboxPoolConfig } from '../../config/sandbox-pool.js';
import type { SandboxLimits, SandboxSpec } from '../../core/ports/sandbox.js';
import type { RunningSandbox } from '../managed-driver.js';
import { PoolChanges } from './pool-changes.js';
import { memberSpec, POOL_ID_PREFIX, poolKey } from './pool-key.js';
import type { PoolMember, PoolMembers, PoolStats } from './pool-member.js';
import { PrespawnedShell } from './prespawned-shell.js';

export type { PoolMember, PoolMembers, PoolStats } from './pool-member.js';

/** What a member counts for when the driver cannot measure it (no cgroups). */
const DEFAULT_MEMBER_BYTES = 16 * 1024 * 1024;
/** Demand is the first tool calls of this last span; the window only decides when a key is dropped. */
const RATE_SPAN_MS = 60_000;
/** How long a refill waits after a hand-over. */
const REFILL_DELAY_MS = 100;
/** A key whose member failed to start is not retried before this. */
const RETRY_AFTER_MS = 10_000;
/**
 * How long a first tool call waits for a member of its key that is already starting (its session
 * was expected) before it starts its own: a start takes ~160 ms here; a member stuck in a package
 * build must not hold the session.
 */
const STARTING_WAIT_MS = 2_000;
/** Sessions whose demand was counted ahead (expect) and not yet by their first tool call. */
const MAX_EXPECTED = 4_096;

interface Demand {
  key: string;
  /** The environments whose latest first tool calls had this key. */
  environments: Set<string>;
  /** The spec members of this key start with (no session in it). */
  template: SandboxSpec;
  times: number[];
  failedAt?: number;
}

/**
 * Sandboxes started ahead of need, per key (what is fixed when a sandbox starts: pool-key.ts).
 * A member is handed to one session only and never comes back: the session's stop or delete ends
 * it like any sandbox. Filling runs in the background, one start at a time, up to
 * min(size, recent demand) per key and never past the memory cap.
 */
export class SandboxPool {
  private readonly ready = new Map<string, PoolMember[]>();
  private readonly starting = new Map<string, number>();
  /** First tool calls waiting for a member of their key that is starting. */
  private readonly waiting = new Map<string, number>();
  /** When the member starting for a key began (one start at a time), and how long the last took. */
  private readonly startingSince = new Map<string, number>();
  private lastStartMs = 0;
  private readonly demand = new Map<string, Demand>();
  private readonly counters = { handedOut: 0, misses: 0, started: 0, discarded: 0, failed: 0 };
  private filling: Promise<void> | undefined;
  private closed = false;
  private largestMember = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly changed = new PoolChanges();
  /** Members being ended: a drain waits for them too. */
  private readonly ending = new Set<Promise<void>>();
  /** Session id → when its demand was counted by expect(), so its first tool call does not count twice. */
  private readonly expected = new Map<string, number>();

  constructor(
    private readonly config: SandboxPoolConfig,
    private readonly members: PoolMembers,
    private readonly log: (message: string) => void,
  ) {
    // Keys whose demand ended are drained even when nothing else happens.
    this.sweeper = setInterval(() => this.kick(), Math.min(config.demandWindowMs, RATE_SPAN_MS));
    this.sweeper.unref();
  }

  /**
   * A session's first tool call: counts as demand (unless expect() already did), drops stale
   * members of its environment, takes one. When none is ready but one of its key is starting (the
   * session was expected, or a refill), it waits for that one: it is further along than a fresh start.
   */
  async take(spec: SandboxSpec, limits: SandboxLimits): Promise<PoolMember | undefined> {
    if (this.closed) return undefined;
    const counted = this.expected.delete(spec.sessionId);
    const key = this.noteDemand(spec, limits, counted ? 0 : 1);
    let member = this.takeReady(key);
    // One waiter per starting member: with more sessions than starts, the rest start fresh now
    // instead of waiting for a member someone else takes. And only for a start at least half done
    // (by the last start's time): for one just begun, two starts side by side end sooner.
    const waiting = this.waiting.get(key) ?? 0;
    const since = this.startingSince.get(key);
    const halfDone = since !== undefined && Date.now() - since >= this.lastStartMs / 2;
    if (!member && halfDone && (this.starting.get(key) ?? 0) > waiting) {
      this.waiting.set(key, waiting + 1);
      await this.changed.untilOrTimeout(
        () => this.closed || (this.ready.get(key)?.length ?? 0) > 0 || (this.starting.get(key) ?? 0) === 0,
        STARTING_WAIT_MS,
      );
      const left = (this.waiting.get(key) ?? 1) - 1;
      if (left > 0) this.waiting.set(key, left);
      else this.waiting.delete(key);
      if (!this.closed) member = this.takeReady(key);
    }
    if (member) this.counters.handedOut++;
    else this.counters.misses++;
    // Not now: the refill's start would compete with this session's own first tool call.
    if (!member) this.kick();
    return member;
  }

  /**
   * A session is likely to make its first tool call soon (SandboxDriver.expect): its demand counts
   * now, so a member starts while the model is still answering. Counted once per session.
   */
  expect(spec: SandboxSpec, limits: SandboxLimits): void {
    if (this.closed || this.expected.has(spec.sessionId)) return;
    const now = Date.now();
    // Sessions that never made a tool call are forgotten with their demand.
    for (const [id, at] of this.expected)
      if (now - at > this.config.demandWindowMs || this.expected.size >= MAX_EXPECTED)
        this.expected.delete(id);
      else break;
    this.expected.set(spec.sessionId, now);
    const key = this.noteDemand(spec, limits);
    // A member is ready for it: the refill after its hand-over starts the next one, later, so
    // no start competes with this session's turn now.
    if ((this.ready.get(key)?.length ?? 0) === 0) this.kick();
  }

  private takeReady(key: string): PoolMember | undefined {
    const list = this.ready.get(key) ?? [];
    let member = list.shift();
    // One that died while waiting (killed from outside) is no use to anyone.
    while (member && !member.running.alive) {
      void this.discard(member);
      member = list.shift();
    }
    if (list.length === 0) this.ready.delete(key);
    return member;
  }

  /**
   * After a hand-over: the refill starts a little later, so its synchronous spawns do not hold up
   * the session's first tool call, which runs right after.
   */
  refill(): void {
    setTimeout(() => this.kick(), REFILL_DELAY_MS).unref();
  }

  /** Counts `count` first tool calls of the spec's key without taking a member: the pool fills for it. */
  want(spec: SandboxSpec, limits: SandboxLimits, count = 1): string {
    const key = this.noteDemand(spec, limits, count);
    this.kick();
    return key;
  }

  /** want(), then waits until that many members (at most the size) are ready (tests, benchmarks). */
  async warm(spec: SandboxSpec, limits: SandboxLimits, count = 1): Promise<void> {
    const key = this.want(spec, limits, count);
    await this.until(() => (this.ready.get(key)?.length ?? 0) >= Math.min(count, this.config.size));
  }

  /** Nothing is starting or being ended. */
  get idle(): boolean {
    return this.filling === undefined && this.ending.size === 0;
  }

  /** Resolves once `condition` holds, checked at every change of the pool. */
  until(condition: () => boolean): Promise<void> {
    return this.changed.until(condition);
  }

  stats(): PoolStats {
    const members = [...this.ready.values()].flat();
    return {
      ready: members.length,
      starting: [...this.starting.values()].reduce((sum, count) => sum + count, 0),
      memoryBytes: members.reduce((sum, member) => sum + member.memoryBytes, 0),
      ...this.counters,
    };
  }

  /** Ends every waiting member and starts no more (a closing driver). */
  async drain(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    await this.filling;
    const all = [...this.ready.values()].flat();
    this.ready.clear();
    await Promise.all([...all.map((member) => this.discard(member)), ...this.ending]);
  }

  private noteDemand(spec: SandboxSpec, limits: SandboxLimits, count = 1): string {
    const key = poolKey(spec, limits);
    // An updated environment: what was started with its old settings goes, unless another
    // environment configured that way still uses it.
    for (const [other, entry] of this.demand)
      if (other !== key && entry.environments.delete(spec.environmentId) && entry.environments.size === 0) {
        this.demand.delete(other);
        this.drop(other);
      }
    const entry = this.demand.get(key) ?? {
      key,
      environments: new Set<string>(),
      template: memberSpec(spec, ''),
      times: [],
    };
    entry.environments.add(spec.environmentId);
    const now = Date.now();
    for (let index = 0; index < count; index++) entry.times.push(now);
    entry.times = entry.times.filter((time) => now - time <= this.config.demandWindowMs);
    this.demand.set(key, entry);
    return key;
  }

  /** How many members a key should have now. */
  private target(name: string): number {
    const entry = this.demand.get(name);
    if (!entry) return 0;
    const now = Date.now();
    entry.times = entry.times.filter((time) => now - time <= this.config.demandWindowMs);
    if (entry.times.length === 0) {
      this.demand.delete(name);
      return 0;
    }
    const recent = entry.times.filter((time) => now - time <= RATE_SPAN_MS).length;
    return Math.min(this.config.size, Math.max(1, recent));
  }

  private kick(): void {
    if (this.filling || this.closed) return;
    this.filling = this.fill()
      .catch((error: unknown) => this.log(`paddock: sandbox pool: ${(error as Error).message}`))
      .finally(() => {
        this.filling = undefined;
        this.notify();
      });
  }

  private async fill(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      for (const name of [...this.ready.keys()]) {
        const extra = (this.ready.get(name)?.length ?? 0) - this.target(name);
        if (extra > 0) this.drop(name, extra);
      }
      const next = [...this.demand.entries()].find(
        ([name, entry]) =>
          (this.ready.get(name)?.length ?? 0) < this.target(name) &&
          (entry.failedAt === undefined || Date.now() - entry.failedAt >= RETRY_AFTER_MS),
      );
      if (!next) return;
      // The largest member measured so far; before any, one is started and measured (and ended
      // at once if it alone is over the cap).
      if (this.stats().memoryBytes + this.largestMember > this.config.maxMemoryBytes) return;
      await this.startOne(next[0], next[1]);
    }
  }

  private async startOne(name: string, entry: Demand): Promise<void> {
    const id = `${POOL_ID_PREFIX}${randomBytes(8).toString('hex')}`;
    this.starting.set(name, (this.starting.get(name) ?? 0) + 1);
    const began = Date.now();
    this.startingSince.set(name, began);
    let running: RunningSandbox | undefined;
    try {
      running = await this.members.start({ ...entry.template, sessionId: id });
      // The session's shell, started now: measured with the member, and ready at hand-over.
      const inside = new PrespawnedShell(running.inside);
      const measured = await this.members.memory(running);
      const memoryBytes = measured ?? DEFAULT_MEMBER_BYTES;
      const member: PoolMember = { id, key: entry.key, running, inside, memoryBytes };
      this.largestMember = Math.max(this.largestMember, member.memoryBytes);
      this.counters.started++;
      delete entry.failedAt;
      // Measured over the cap (the estimate was low), stale meanwhile, or closing: it goes at once.
      const over = this.stats().memoryBytes + member.memoryBytes > this.config.maxMemoryBytes;
      if (this.closed || over || this.demand.get(name) !== entry) await this.discard(member);
      else this.ready.set(name, [...(this.ready.get(name) ?? []), member]);
    } catch (error) {
      this.counters.failed++;
      entry.failedAt = Date.now();
      setTimeout(() => this.kick(), RETRY_AFTER_MS).unref();
      this.log(`paddock: sandbox pool: could not start a sandbox ahead: ${(error as Error).message}`);
      await this.members.discard(id, running).catch(() => {});
    } finally {
      this.starting.set(name, (this.starting.get(name) ?? 1) - 1);
      this.startingSince.delete(name);
      this.lastStartMs = Date.now() - began;
      this.notify();
    }
  }

  private drop(name: string, count = Number.POSITIVE_INFINITY): void {
    const list = this.ready.get(name) ?? [];
    const dropped = list.splice(0, count);
    if (list.length === 0) this.ready.delete(name);
    for (const member of dropped) void this.discard(member);
  }

  /** Ends a member taken but not handed over (its session needed a fresh start after all). */
  end(member: PoolMember): Promise<void> {
    return this.discard(member);
  }

  private discard(member: PoolMember): Promise<void> {
    this.counters.discarded++;
    const ended = this.members
      .discard(member.id, member.running)
      .catch((error: unknown) =>
        this.log(`paddock: sandbox pool: could not end ${member.id}: ${(error as Error).message}`),
      )
      .finally(() => {
        this.ending.delete(ended);
        this.notify();
      });
    this.ending.add(ended);
    return ended;
  }

  private notify(): void {
    this.changed.notify();
  }
}

export { effectiveLimits } from './pool-key.js';
