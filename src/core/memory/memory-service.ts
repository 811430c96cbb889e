import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { conflict, invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { MemoryRow, MemoryVersionRow } from '../ports/memory-repository.js';
import type { Store } from '../ports/store.js';
import { currentWorkspaceScope } from '../workspaces/workspace-scope.js';
import type { Memory, MemoryActor, MemoryStore, MemoryVersionOperation, MemoryView } from './memory.js';
import type { MemoryCreateInput, MemoryUpdateInput } from './memory-schemas.js';
import type { MemoryStoreService } from './memory-store-service.js';
import { contentSha256, toMemory } from './memory-views.js';

/** Who writes: a session writing through its mount, else the calling API key. */
export interface WriteOptions {
  actor?: MemoryActor | undefined;
}

/** A precondition held no longer: the SDK's `memory_precondition_failed_error` (409). */
export const preconditionFailed = (what: string) =>
  conflict(`${what}: the memory's current content_sha256 differs; retrieve it and retry`, {
    errorCode: 'memory_precondition_failed_error',
  });

const pathConflict = (path: string, other: MemoryRow) =>
  conflict(`path ${JSON.stringify(path)} overlaps memory ${other.id} at ${JSON.stringify(other.path)}`, {
    errorCode: 'memory_path_conflict_error',
    details: { conflicting_memory_id: other.id, conflicting_path: other.path },
  });

/**
 * Memories: text documents at paths in a store. Every change writes one immutable version; the
 * memory row names its current version, which is the compare-and-set token of every write, so
 * two writers racing on one memory never overwrite each other silently.
 */
export class MemoryService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly stores: MemoryStoreService,
  ) {}

  async create(storeId: string, input: MemoryCreateInput, options: WriteOptions = {}): Promise<MemoryRow> {
    const memoryStore = await this.writableStore(storeId);
    const content = input.content ?? '';
    for (let attempt = 0; ; attempt++) {
      const other = await this.store.memories.findOverlapping(storeId, input.path);
      if (other) throw pathConflict(input.path, other);
      const now = toTimestamp(this.clock.now());
      const row: MemoryRow = {
        id: this.ids.next('memory'),
        storeId,
        workspaceId: memoryStore.workspaceId,
        path: input.path,
        ...contentFields(content),
        versionId: this.ids.next('memoryVersion'),
        createdAt: now,
        updatedAt: now,
      };
      const inserted = await this.store.transaction(async (tx) => {
        if (!(await tx.memories.insert(row))) return false;
        await tx.memories.insertVersion(this.version(row, 'created', now, options));
        return true;
      });
      if (inserted) return row;
      if (attempt >= 2) throw conflict(`path ${JSON.stringify(input.path)} was taken concurrently; retry`);
    }
  }

  async retrieve(storeId: string, id: string): Promise<MemoryRow> {
    await this.stores.record(storeId);
    const row = await this.store.memories.get(storeId, id);
    if (!row) throw notFound('Memory', id);
    return row;
  }

  async update(
    storeId: string,
    id: string,
    input: MemoryUpdateInput,
    options: WriteOptions = {},
  ): Promise<MemoryRow> {
    await this.writableStore(storeId);
    for (;;) {
      const current = await this.store.memories.get(storeId, id);
      if (!current) throw notFound('Memory', id);
      const content = input.content ?? current.content;
      const path = input.path ?? current.path;
      // Already exactly as asked: success even when the precondition's hash is stale.
      if (content === current.content && path === current.path) return current;
      const expected = input.precondition?.content_sha256;
      if (expected !== undefined && expected !== current.contentSha256)
        throw preconditionFailed('precondition');
      if (path !== current.path) {
        const other = await this.store.memories.findOverlapping(storeId, path, id);
        if (other) throw pathConflict(path, other);
      }
      const now = toTimestamp(this.clock.now());
      const next: MemoryRow = {
        ...current,
        path,
        ...contentFields(content),
        versionId: this.ids.next('memoryVersion'),
        updatedAt: now,
      };
      const written = await this.store.transaction(async (tx) => {
        if (!(await tx.memories.update(next, current.versionId))) return false;
        await tx.memories.insertVersion(this.version(next, 'modified', now, options));
        return true;
      });
      if (written) return next;
      // Another write came first: with a precondition that is a 409 on the next pass (its hash
      // moved on); without one, the update applies on top of the newer content.
    }
  }

  async delete(
    storeId: string,
    id: string,
    expectedSha256?: string,
    options: WriteOptions = {},
  ): Promise<{ id: string; type: 'memory_deleted' }> {
    await this.stores.record(storeId);
    for (;;) {
      const current = await this.store.memories.get(storeId, id);
      if (!current) throw notFound('Memory', id);
      if (expectedSha256 !== undefined && expectedSha256 !== current.contentSha256)
        throw preconditionFailed('expected_content_sha256');
      const now = toTimestamp(this.clock.now());
      const deleted = await this.store.transaction(async (tx) => {
        if (!(await tx.memories.delete(storeId, id, current.versionId))) return false;
        await tx.memories.insertVersion({
          ...this.version(current, 'deleted', now, options),
          id: this.ids.next('memoryVersion'),
          content: null,
          contentSha256: null,
          contentSizeBytes: null,
        });
        return true;
      });
      if (deleted) return { id, type: 'memory_deleted' };
    }
  }

  /** Every memory under `prefix` (the whole store for "/"). */
  async listUnder(storeId: string, prefix: string): Promise<MemoryRow[]> {
    await this.stores.record(storeId);
    return this.store.memories.listUnder(storeId, prefix);
  }

  render(row: MemoryRow, view: MemoryView): Memory {
    return toMemory(row, view);
  }

  private async writableStore(storeId: string): Promise<{ doc: MemoryStore; workspaceId: string }> {
    const record = await this.stores.record(storeId);
    if (record.doc.archived_at)
      throw invalidRequest(`memory store ${storeId} is archived: its memories cannot be created or changed`);
    return { doc: record.doc, workspaceId: record.workspaceId ?? '' };
  }

  private version(
    row: MemoryRow,
    operation: MemoryVersionOperation,
    now: string,
    options: WriteOptions,
  ): MemoryVersionRow {
    return {
      id: row.versionId,
      storeId: row.storeId,
      workspaceId: row.workspaceId,
      memoryId: row.id,
      operation,
      path: row.path,
      content: row.content,
      contentSha256: row.contentSha256,
      contentSizeBytes: row.contentSizeBytes,
      createdAt: now,
      createdBy: options.actor ?? callerActor(),
      redactedAt: null,
      redactedBy: null,
    };
  }
}

export function callerActor(): MemoryActor | null {
  const actor = currentWorkspaceScope()?.actor;
  return actor ? { type: 'api_actor', api_key_id: actor } : null;
}

function contentFields(content: string) {
  return {
    content,
    contentSha256: contentSha256(content),
    contentSizeBytes: Buffer.byteLength(content, 'utf8'),
  };
}
