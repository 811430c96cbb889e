import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { Store } from '../ports/store.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { toWire, type Work, type WorkDocument, workRecord } from './work.js';
import { encodeWorkSecret, generateSessionsToken, hashToken } from './work-tokens.js';

/** Spec §6.3: an un-acked item becomes pollable again after this long. */
export const DEFAULT_RECLAIM_MS = 5000;
/** While a poll is held, the store is re-read at this pace (items enqueued on other nodes). */
const RECHECK_MS = 200;
/** A worker counts as polling for this long after its last poll (`workers_polling`). */
const WORKER_SEEN_MS = 60_000;

const claimKey = (workId: string) => `work-claim:${workId}`;

/** How a worker's poll waits and what it may take back (the wire's `block_ms` and `reclaim_older_than_ms`). */
export interface PollOptions {
  blockMs?: number | undefined;
  reclaimOlderThanMs?: number | undefined;
  workerId?: string | undefined;
}

/**
 * Long-polling and claiming. A claim marks the item polled and mints a fresh
 * sessions token (the old claim's token dies). Two nodes claiming the same
 * item race on one row of the lease table, which only one can win.
 */
export class WorkPolling {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly workers = new Map<string, Map<string, number>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly mutex: KeyedMutex,
    private readonly beforeClaim: (environmentId: string) => Promise<void>,
  ) {}

  async poll(environmentId: string, options: PollOptions): Promise<Work | null> {
    if (options.workerId) this.sawWorker(environmentId, options.workerId);
    const reclaimMs = options.reclaimOlderThanMs ?? DEFAULT_RECLAIM_MS;
    const deadline = this.clock.now() + (options.blockMs ?? 0);
    for (;;) {
      const claimed = await this.tryClaim(environmentId, reclaimMs, options.workerId ?? null);
      if (claimed) return claimed;
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) return null;
      await this.waitForWork(environmentId, Math.min(remaining, RECHECK_MS));
    }
  }

  /** Wakes polls held on this node for the environment. */
  wake(environmentId: string): void {
    for (const wake of this.waiters.get(environmentId) ?? []) wake();
  }

  async releaseClaim(workId: string): Promise<void> {
    const holder = await this.store.leases.holder(claimKey(workId));
    if (holder) await this.store.leases.release(claimKey(workId), holder.owner);
  }

  workersPolling(environmentId: string): number {
    const seen = this.workers.get(environmentId);
    if (!seen) return 0;
    const cutoff = this.clock.now() - WORKER_SEEN_MS;
    for (const [id, at] of seen) if (at < cutoff) seen.delete(id);
    return seen.size;
  }

  private async tryClaim(
    environmentId: string,
    reclaimMs: number,
    workerId: string | null,
  ): Promise<Work | null> {
    await this.beforeClaim(environmentId);
    const page = await this.store.resources.list<WorkDocument>({
      kind: 'work',
      parentId: environmentId,
      statuses: ['queued'],
      order: 'asc',
      limit: 50,
    });
    for (const item of page.items) {
      if (!claimable(item.doc, this.clock.now(), reclaimMs)) continue;
      const claimed = await this.mutex.run(item.id, () => this.claim(item.id, reclaimMs, workerId));
      if (claimed) return claimed;
    }
    return null;
  }

  private async claim(workId: string, reclaimMs: number, workerId: string | null): Promise<Work | null> {
    const nowMs = this.clock.now();
    const record = await this.store.resources.get<WorkDocument>('work', workId);
    if (!record || !claimable(record.doc, nowMs, reclaimMs)) return null;
    const now = toTimestamp(nowMs);
    const owner = randomBytes(12).toString('hex');
    const won = await this.store.leases.acquire(claimKey(workId), owner, toTimestamp(nowMs + reclaimMs), now);
    if (!won) return null;
    const token = generateSessionsToken(workId);
    const document: WorkDocument = {
      ...record.doc,
      _polled_at: now,
      _worker_id: workerId,
      _token_hash: hashToken(token),
    };
    await this.store.resources.update(workRecord(document, now));
    return toWire(document, encodeWorkSecret(token));
  }

  private waitForWork(environmentId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(environmentId) ?? new Set<() => void>();
      this.waiters.set(environmentId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(environmentId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  private sawWorker(environmentId: string, workerId: string): void {
    const seen = this.workers.get(environmentId) ?? new Map<string, number>();
    this.workers.set(environmentId, seen);
    seen.set(workerId, this.clock.now());
  }
}

function claimable(document: WorkDocument, nowMs: number, reclaimMs: number): boolean {
  if (document.state !== 'queued') return false;
  return document._polled_at === null || nowMs - Date.parse(document._polled_at) >= reclaimMs;
}
