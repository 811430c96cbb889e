import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { conflict, notFound } from '../errors.js';
import type { MemoryVersionQuery, MemoryVersionRow } from '../ports/memory-repository.js';
import type { Store } from '../ports/store.js';
import { callerActor } from './memory-service.js';
import type { MemoryStoreService } from './memory-store-service.js';

/** A memory's history: list, retrieve, and redact (the only change a version ever takes). */
export class MemoryVersionService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly stores: MemoryStoreService,
  ) {}

  async list(query: MemoryVersionQuery): Promise<MemoryVersionRow[]> {
    await this.stores.record(query.storeId);
    return this.store.memories.listVersions(query);
  }

  async retrieve(storeId: string, id: string): Promise<MemoryVersionRow> {
    await this.stores.record(storeId);
    const row = await this.store.memories.getVersion(storeId, id);
    if (!row) throw notFound('Memory version', id);
    return row;
  }

  /**
   * Clears content, hash, size and path; who wrote it and when stay. The version a live memory
   * still holds is refused: its content is what the memory returns, so redacting it alone could
   * not remove it from the API. Write a new version or delete the memory first.
   */
  async redact(storeId: string, id: string): Promise<MemoryVersionRow> {
    return this.store.transaction(async (tx) => {
      await this.stores.record(storeId, tx);
      const row = await tx.memories.getVersion(storeId, id);
      if (!row) throw notFound('Memory version', id);
      if (row.redactedAt !== null) return row;
      const memory = await tx.memories.get(storeId, row.memoryId);
      if (memory?.versionId === id)
        throw conflict(
          `memory version ${id} is the current content of memory ${memory.id}: update or delete the memory, then redact this version`,
        );
      const redactedAt = toTimestamp(this.clock.now());
      const redactedBy = callerActor();
      await tx.memories.redactVersion(storeId, id, redactedAt, redactedBy);
      return {
        ...row,
        path: null,
        content: null,
        contentSha256: null,
        contentSizeBytes: null,
        redactedAt,
        redactedBy,
      };
    });
  }
}
