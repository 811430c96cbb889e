import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { conflict, invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { MemoryStoreService } from '../memory/memory-store-service.js';
import { type Money, usd } from '../metering/money.js';
import type { Cursor, ResourcePage, ResourceRecord, Store } from '../ports/store.js';
import { currentWorkspaceScope, runInWorkspaceScope } from '../workspaces/workspace-scope.js';
import {
  type Dream,
  type DreamDocument,
  type DreamInput,
  type DreamStatus,
  dreamInputStore,
  emptyDreamUsage,
  isFinalDreamStatus,
  LIVE_DREAM_STATUSES,
} from './dream.js';
import type { DreamCreateInput } from './dream-schemas.js';

export interface DreamListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  includeArchived?: boolean | undefined;
  statuses?: readonly DreamStatus[] | undefined;
  createdAt?: { gt?: string | undefined; lt?: string | undefined } | undefined;
}

/** Told when a dream was created (run it) or canceled (stop it): the dream runner. */
export interface DreamSignals {
  created(dreamId: string): void;
  canceled(dreamId: string): void;
}

/**
 * Dreams: background jobs that reorganize a memory store from past sessions. Kept as `dream`
 * resource rows (refId: the input store, so a second `update_existing` dream on it is found);
 * the runner (dream-runner.ts) moves them through pending → running → completed | failed.
 */
export class DreamService {
  signals: DreamSignals = { created: () => undefined, canceled: () => undefined };

  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly memoryStores: MemoryStoreService,
  ) {}

  async create(input: DreamCreateInput): Promise<Dream> {
    const inputs = await this.checkedInputs(input.inputs);
    const now = toTimestamp(this.clock.now());
    const model = typeof input.model === 'string' ? input.model : input.model.id;
    const dream: Dream = {
      type: 'dream',
      id: this.ids.next('dream'),
      archived_at: null,
      created_at: now,
      ended_at: null,
      error: null,
      inputs,
      instructions: input.instructions ?? null,
      model: { id: model, speed: 'standard' },
      output_behavior: input.output_behavior ?? { type: 'create_new' },
      outputs: [],
      session_id: null,
      status: 'pending',
      usage: emptyDreamUsage(),
    };
    const doc: DreamDocument = { dream, createdBy: currentWorkspaceScope()?.actor ?? null, listCostUsd: '0' };
    await this.store.transaction(async (tx) => {
      if (dream.output_behavior.type === 'update_existing') {
        const holder = await this.updatingDream(dreamInputStore(dream), tx);
        if (holder)
          throw conflict(
            `dream ${holder} is still writing into memory store ${dreamInputStore(dream)}; wait for it to end or cancel it, then retry`,
          );
      }
      await tx.resources.insert({ ...recordFields(dream), doc });
    });
    this.signals.created(dream.id);
    return dream;
  }

  async retrieve(id: string): Promise<Dream> {
    return (await this.record(id)).doc.dream;
  }

  /** The dream's row; a foreign or missing id is a 404 alike. */
  async record(id: string, store: Store = this.store): Promise<ResourceRecord<DreamDocument>> {
    // Every caller passing a transaction changes the row: lock it, or a cancel and the runner's
    // own write (running, usage) could each overwrite the other's status.
    const record =
      store === this.store
        ? await store.resources.get<DreamDocument>('dream', id)
        : await store.resources.getForUpdate<DreamDocument>('dream', id);
    if (!record) throw notFound('Dream', id);
    return record;
  }

  list(options: DreamListOptions): Promise<ResourcePage<DreamDocument>> {
    return this.store.resources.list<DreamDocument>({
      kind: 'dream',
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      includeArchived: options.includeArchived,
      statuses: options.statuses,
      createdAt: options.createdAt,
    });
  }

  async archive(id: string): Promise<Dream> {
    return this.store.transaction(async (tx) => {
      const record = await this.record(id, tx);
      const dream = record.doc.dream;
      if (dream.archived_at) return dream;
      if (!isFinalDreamStatus(dream.status))
        throw invalidRequest(`dream ${id} is ${dream.status}: cancel it before archiving it`);
      const archived: Dream = { ...dream, archived_at: toTimestamp(this.clock.now()) };
      await tx.resources.update({
        ...record,
        ...recordFields(archived),
        doc: { ...record.doc, dream: archived },
      });
      return archived;
    });
  }

  async cancel(id: string): Promise<Dream> {
    const dream = await this.store.transaction(async (tx) => {
      const record = await this.record(id, tx);
      const current = record.doc.dream;
      if (current.status === 'canceled') return current;
      if (isFinalDreamStatus(current.status))
        throw invalidRequest(`dream ${id} is already ${current.status} and cannot be canceled`);
      const canceled: Dream = { ...current, status: 'canceled', ended_at: toTimestamp(this.clock.now()) };
      await tx.resources.update({
        ...record,
        ...recordFields(canceled),
        doc: { ...record.doc, dream: canceled },
      });
      return canceled;
    });
    this.signals.canceled(id);
    return dream;
  }

  /**
   * The list cost of a workspace's dreams created since `startingAt` (its monthly spend counts
   * them: core/workspaces/workspace-spend.ts); null when one of them used an unpriced model.
   */
  async listCostSince(workspaceId: string, startingAt: string): Promise<Money | null> {
    return runInWorkspaceScope({ workspaceId, confined: true }, async () => {
      let total = 0n;
      let cursor: Cursor | undefined;
      for (;;) {
        const page = await this.store.resources.list<DreamDocument>({
          kind: 'dream',
          order: 'asc',
          limit: 500,
          cursor,
          includeArchived: true,
          createdAt: { gte: startingAt },
        });
        for (const item of page.items) {
          if (item.doc.listCostUsd === null) return null;
          total += usd(item.doc.listCostUsd);
        }
        const last = page.items.at(-1);
        if (!page.hasMore || !last) return total;
        cursor = { createdAt: last.createdAt, id: last.id, direction: 'next' };
      }
    });
  }

  /** Every pending or running dream of every workspace (the runner's sweep; call outside any scope). */
  async live(limit: number): Promise<string[]> {
    const page = await this.store.resources.list<DreamDocument>({
      kind: 'dream',
      order: 'asc',
      limit,
      statuses: LIVE_DREAM_STATUSES,
      includeArchived: true,
    });
    return page.items.map((item) => item.id);
  }

  /**
   * Read-modify-write of a dream that is not final. Returns the new row, or undefined when the
   * dream reached a final status meanwhile (a cancel won the race: nothing changes).
   */
  async advance(
    id: string,
    change: (doc: DreamDocument) => DreamDocument,
  ): Promise<ResourceRecord<DreamDocument> | undefined> {
    return this.store.transaction(async (tx) => {
      const record = await this.record(id, tx);
      if (isFinalDreamStatus(record.doc.dream.status)) return undefined;
      const doc = change(record.doc);
      const next = { ...record, ...recordFields(doc.dream), doc };
      await tx.resources.update(next);
      return next;
    });
  }

  /** Usage keeps counting after a cancel (the SDK's `usage` docs): this write ignores the status. */
  async recordUsage(id: string, change: (doc: DreamDocument) => DreamDocument): Promise<void> {
    await this.store.transaction(async (tx) => {
      const record = await this.record(id, tx);
      const doc = change(record.doc);
      await tx.resources.update({ ...record, ...recordFields(doc.dream), doc });
    });
  }

  finish(id: string, status: 'completed' | 'failed', error: Dream['error'] = null) {
    const ended_at = toTimestamp(this.clock.now());
    return this.advance(id, (doc) => ({ ...doc, dream: { ...doc.dream, status, error, ended_at } }));
  }

  /** An `update_existing` dream writing into `storeId` (live, or stopped and not yet let go), if any. */
  private async updatingDream(storeId: string, store: Store): Promise<string | undefined> {
    const writesInto = (item: ResourceRecord<DreamDocument>) =>
      item.doc.dream.output_behavior.type === 'update_existing';
    const query = { kind: 'dream' as const, refId: storeId, includeArchived: true };
    const live = await store.resources.list<DreamDocument>({
      ...query,
      order: 'asc',
      limit: 100,
      statuses: LIVE_DREAM_STATUSES,
    });
    const running = live.items.find(writesInto);
    if (running) return running.id;
    // Stopped, but a run still holds the lease: it may be finishing its last write.
    const recent = await store.resources.list<DreamDocument>({ ...query, order: 'desc', limit: 20 });
    const now = toTimestamp(this.clock.now());
    for (const item of recent.items.filter(writesInto)) {
      const lease = await store.leases.holder(item.id);
      if (lease && lease.expiresAt > now) return item.id;
    }
    return undefined;
  }

  /** Inputs as the response gives them (session ids sorted); each must be in the caller's workspace. */
  private async checkedInputs(inputs: DreamCreateInput['inputs']): Promise<DreamInput[]> {
    const checked: DreamInput[] = [];
    for (const [index, input] of inputs.entries()) {
      if (input.type === 'memory_store') {
        const field = `inputs[${index}].memory_store_id`;
        const record = await this.memoryStores.record(input.memory_store_id).catch(() => undefined);
        if (!record) throw invalidRequest(`${field}: memory store ${input.memory_store_id} not found`);
        if (record.doc.archived_at)
          throw invalidRequest(`${field}: memory store ${input.memory_store_id} is archived`);
        checked.push({ type: 'memory_store', memory_store_id: input.memory_store_id });
      } else {
        for (const [position, sessionId] of input.session_ids.entries()) {
          if (!(await this.store.resources.get('session', sessionId)))
            throw invalidRequest(`inputs[${index}].session_ids[${position}]: session ${sessionId} not found`);
        }
        checked.push({ type: 'sessions', session_ids: [...input.session_ids].sort() });
      }
    }
    return checked;
  }
}

function recordFields(dream: Dream) {
  return {
    kind: 'dream' as const,
    id: dream.id,
    parentId: null,
    name: null,
    status: dream.status,
    refId: dreamInputStore(dream),
    refVersion: null,
    createdAt: dream.created_at,
    updatedAt: dream.ended_at ?? dream.created_at,
    archivedAt: dream.archived_at,
  };
}
