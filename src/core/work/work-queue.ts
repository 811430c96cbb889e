import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { isTerminated, type Session } from '../domain/session.js';
import type { EnvironmentDocument } from '../environments/environment.js';
import { conflict, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Cursor, ResourcePage, Store } from '../ports/store.js';
import { applyMetadataPatch } from '../schemas/common.js';
import { isUniqueViolation } from '../unique-violation.js';
import { KeyedMutex } from './keyed-mutex.js';
import {
  toWire,
  type Work,
  type WorkDocument,
  type WorkHeartbeat,
  type WorkQueueStats,
  workRecord,
} from './work.js';
import {
  applyHeartbeat,
  applyStop,
  DEFAULT_LEASE,
  expireLease,
  type HeartbeatInput,
  type LeaseSettings,
} from './work-lease.js';
import { type PollOptions, WorkPolling } from './work-polling.js';
import { hashToken, workIdOfToken } from './work-tokens.js';

export interface WorkQueueOptions {
  lease?: Partial<LeaseSettings> | undefined;
}

/** Whom a sessions token speaks for. */
export interface WorkTokenScope {
  workId: string;
  sessionId: string;
  environmentId: string;
}

/**
 * The work queue of self-hosted environments (spec §6). One live item per
 * session: enqueued when the session is created and again when a dormant
 * session (its item stopped) gets input. Workers poll, ack, heartbeat and
 * stop; the lease bookkeeping lives in work-lease.ts, the polling in work-polling.ts.
 */
export class WorkQueue {
  private readonly mutex = new KeyedMutex();
  private readonly lease: LeaseSettings;
  private readonly polling: WorkPolling;

  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    options: WorkQueueOptions = {},
  ) {
    this.lease = { ...DEFAULT_LEASE, ...options.lease };
    this.polling = new WorkPolling(store, clock, this.mutex, (environmentId) =>
      this.expireLeases(environmentId),
    );
  }

  /** Enqueues an item for a self-hosted session unless it already has a live one. */
  async ensureForSession(sessionId: string): Promise<Work | undefined> {
    const session = await this.store.resources.get<Session>('session', sessionId);
    if (!session || isTerminated(session.doc)) return undefined;
    const environment = await this.store.resources.get<EnvironmentDocument>(
      'environment',
      session.doc.environment_id,
    );
    if (environment?.doc.config.type !== 'self_hosted') return undefined;
    const live = await this.store.resources.findByName<WorkDocument>('work', sessionId);
    if (live) return toWire(live.doc);
    const now = toTimestamp(this.clock.now());
    const document: WorkDocument = {
      type: 'work',
      id: this.ids.next('work'),
      environment_id: environment.id,
      state: 'queued',
      data: { type: 'session', id: sessionId },
      secret: null,
      metadata: {},
      created_at: now,
      acknowledged_at: null,
      started_at: null,
      latest_heartbeat_at: null,
      stop_requested_at: null,
      stopped_at: null,
      _last_heartbeat: null,
      _lease_expires_at: null,
      _polled_at: null,
      _worker_id: null,
      _token_hash: null,
    };
    try {
      await this.store.resources.insert(workRecord(document, now));
    } catch (error) {
      // Another request enqueued it first: the unique (kind, name) index keeps one live item.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.store.resources.findByName<WorkDocument>('work', sessionId);
      return winner ? toWire(winner.doc) : undefined;
    }
    this.polling.wake(environment.id);
    return toWire(document);
  }

  /** Holds up to `blockMs` for an item; the answer carries the claim's `secret`. */
  poll(environmentId: string, options: PollOptions): Promise<Work | null> {
    return this.polling.poll(environmentId, options);
  }

  /** queued → starting: the item leaves the queue and its lease clock starts. */
  async ack(environmentId: string, workId: string): Promise<Work> {
    return this.mutate(environmentId, workId, (document, nowMs) => {
      if (document.state !== 'queued') {
        if (document.state === 'starting' || document.state === 'active') return document;
        throw conflict(`work ${workId} is ${document.state} and cannot be acknowledged`, {
          errorCode: 'work_not_queued',
        });
      }
      return {
        ...document,
        state: 'starting',
        acknowledged_at: toTimestamp(nowMs),
        _lease_expires_at: toTimestamp(nowMs + this.lease.defaultTtlSeconds * 1000),
      };
    });
  }

  async heartbeat(environmentId: string, workId: string, input: HeartbeatInput): Promise<WorkHeartbeat> {
    let heartbeat: WorkHeartbeat | undefined;
    await this.mutate(environmentId, workId, (document, nowMs) => {
      const result = applyHeartbeat(document, input, nowMs, this.lease);
      heartbeat = result.heartbeat;
      return result.document;
    });
    if (!heartbeat) throw new Error('heartbeat produced no answer');
    return heartbeat;
  }

  async stop(environmentId: string, workId: string, force: boolean): Promise<Work> {
    const work = await this.mutate(environmentId, workId, (document, nowMs) =>
      applyStop(document, force, nowMs),
    );
    // The claim gate in the lease table is no longer needed once the item is stopped.
    if (work.state === 'stopped') await this.polling.releaseClaim(workId);
    return work;
  }

  async retrieve(environmentId: string, workId: string): Promise<Work> {
    return toWire(await this.document(environmentId, workId));
  }

  async updateMetadata(
    environmentId: string,
    workId: string,
    patch: Record<string, string | null> | null,
  ): Promise<Work> {
    return this.mutate(environmentId, workId, (document) => ({
      ...document,
      metadata: applyMetadataPatch(document.metadata, patch),
    }));
  }

  async list(
    environmentId: string,
    options: { limit: number; cursor?: Cursor | undefined },
  ): Promise<ResourcePage<WorkDocument>> {
    await this.expireLeases(environmentId);
    return this.store.resources.list<WorkDocument>({
      kind: 'work',
      parentId: environmentId,
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
    });
  }

  async stats(environmentId: string): Promise<WorkQueueStats> {
    // Scoped like every read: another workspace's environment (or none) has no queue to report.
    if (!(await this.store.resources.get('environment', environmentId)))
      throw notFound('Environment', environmentId, 'environment_not_found');
    await this.expireLeases(environmentId);
    const queued = await this.itemsIn(environmentId, ['queued']);
    return {
      type: 'work_queue_stats',
      depth: queued.length,
      // Handed out by a poll but not acknowledged yet.
      pending: queued.filter((document) => document._polled_at !== null).length,
      oldest_queued_at: queued[0]?.created_at ?? null,
      workers_polling: this.polling.workersPolling(environmentId),
    };
  }

  /** The item a sessions token was minted for, while that claim is current and the item not stopped. */
  async resolveToken(token: string): Promise<WorkTokenScope | undefined> {
    const workId = workIdOfToken(token);
    if (!workId) return undefined;
    const record = await this.store.resources.get<WorkDocument>('work', workId);
    const document = record?.doc;
    if (!document || document._token_hash === null || document._token_hash !== hashToken(token))
      return undefined;
    return { workId, sessionId: document.data.id, environmentId: document.environment_id };
  }

  private async document(environmentId: string, workId: string): Promise<WorkDocument> {
    const record = await this.store.resources.get<WorkDocument>('work', workId);
    if (!record || record.doc.environment_id !== environmentId)
      throw notFound('Work', workId, 'work_not_found');
    return record.doc;
  }

  private async mutate(
    environmentId: string,
    workId: string,
    change: (document: WorkDocument, nowMs: number) => WorkDocument,
  ): Promise<Work> {
    return this.mutex.run(workId, async () => {
      const nowMs = this.clock.now();
      const current = await this.document(environmentId, workId);
      const next = change(expireLease(current, nowMs) ?? current, nowMs);
      if (next !== current) await this.store.resources.update(workRecord(next, toTimestamp(nowMs)));
      return toWire(next);
    });
  }

  /** Gives items of dead workers back to the queue (or stops them, when a stop was asked). */
  private async expireLeases(environmentId: string): Promise<void> {
    for (const document of await this.itemsIn(environmentId, ['starting', 'active', 'stopping'])) {
      if (!expireLease(document, this.clock.now())) continue;
      await this.mutex.run(document.id, async () => {
        const nowMs = this.clock.now();
        const fresh = await this.store.resources.get<WorkDocument>('work', document.id);
        const expired = fresh ? expireLease(fresh.doc, nowMs) : undefined;
        if (expired) await this.store.resources.update(workRecord(expired, toTimestamp(nowMs)));
      });
    }
  }

  private async itemsIn(environmentId: string, states: WorkDocument['state'][]): Promise<WorkDocument[]> {
    const page = await this.store.resources.list<WorkDocument>({
      kind: 'work',
      parentId: environmentId,
      statuses: states,
      order: 'asc',
      limit: 1000,
    });
    return page.items.map((item) => item.doc);
  }
}
