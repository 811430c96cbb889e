import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Cursor, ResourcePage, ResourceRecord, Store } from '../ports/store.js';
import { applyMetadataPatch } from '../schemas/common.js';
import type { MemoryStore } from './memory.js';
import type { MemoryStoreCreateInput, MemoryStoreUpdateInput } from './memory-schemas.js';

export interface MemoryStoreListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  includeArchived?: boolean | undefined;
  createdAt?: { gte?: string | undefined; lte?: string | undefined } | undefined;
}

/** Memory stores: named containers of memories, kept as `memory_store` resource rows. */
export class MemoryStoreService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async create(input: MemoryStoreCreateInput): Promise<MemoryStore> {
    const now = toTimestamp(this.clock.now());
    const memoryStore: MemoryStore = {
      type: 'memory_store',
      id: this.ids.next('memoryStore'),
      name: input.name,
      description: input.description ?? '',
      metadata: input.metadata ?? {},
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    await this.store.resources.insert({ ...recordFields(memoryStore), doc: memoryStore });
    return memoryStore;
  }

  async retrieve(id: string): Promise<MemoryStore> {
    return (await this.record(id)).doc;
  }

  /** The store's row (with its workspace); a foreign or missing id is a 404 alike. */
  async record(id: string, store: Store = this.store): Promise<ResourceRecord<MemoryStore>> {
    // Inside a transaction the row stays locked until commit (a read-modify-write's read).
    const record = await store.resources.getForUpdate<MemoryStore>('memory_store', id);
    if (!record) throw notFound('Memory store', id);
    return record;
  }

  async update(id: string, input: MemoryStoreUpdateInput): Promise<MemoryStore> {
    return this.store.transaction(async (tx) => {
      const current = (await this.record(id, tx)).doc;
      if (current.archived_at) throw invalidRequest(`memory store ${id} is archived and cannot be updated`);
      const next: MemoryStore = {
        ...current,
        name: input.name ?? current.name,
        description: input.description ?? current.description,
        metadata: applyMetadataPatch(current.metadata, input.metadata),
      };
      if (JSON.stringify(next) === JSON.stringify(current)) return current;
      next.updated_at = toTimestamp(this.clock.now());
      await tx.resources.update({ ...recordFields(next), doc: next });
      return next;
    });
  }

  async archive(id: string): Promise<MemoryStore> {
    // The row is held until commit: an update racing the archive cannot un-archive it.
    return this.store.transaction(async (tx) => {
      const current = (await this.record(id, tx)).doc;
      if (current.archived_at) return current;
      const now = toTimestamp(this.clock.now());
      const archived: MemoryStore = { ...current, archived_at: now, updated_at: now };
      await tx.resources.update({ ...recordFields(archived), doc: archived });
      return archived;
    });
  }

  async delete(id: string): Promise<{ id: string; type: 'memory_store_deleted' }> {
    await this.store.transaction(async (tx) => {
      await this.record(id, tx);
      await tx.memories.deleteStore(id);
      await tx.resources.delete('memory_store', id);
    });
    return { id, type: 'memory_store_deleted' };
  }

  list(options: MemoryStoreListOptions): Promise<ResourcePage<MemoryStore>> {
    return this.store.resources.list<MemoryStore>({
      kind: 'memory_store',
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      includeArchived: options.includeArchived,
      createdAt: options.createdAt,
    });
  }
}

function recordFields(memoryStore: MemoryStore) {
  return {
    kind: 'memory_store' as const,
    id: memoryStore.id,
    parentId: null,
    name: null,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: memoryStore.created_at,
    updatedAt: memoryStore.updated_at,
    archivedAt: memoryStore.archived_at,
  };
}
