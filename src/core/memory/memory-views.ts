import { createHash } from 'node:crypto';
import type { MemoryRow, MemoryVersionRow } from '../ports/memory-repository.js';
import type { Memory, MemoryVersion, MemoryView } from './memory.js';

/** Lowercase hex SHA-256 of the UTF-8 bytes: no normalization, so clients can compute it too. */
export const contentSha256 = (content: string): string =>
  createHash('sha256').update(content, 'utf8').digest('hex');

export function toMemory(row: MemoryRow, view: MemoryView): Memory {
  return {
    type: 'memory',
    id: row.id,
    memory_store_id: row.storeId,
    path: row.path,
    content_sha256: row.contentSha256,
    content_size_bytes: row.contentSizeBytes,
    memory_version_id: row.versionId,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    content: view === 'full' ? row.content : null,
  };
}

/** A redacted version shows no content, hash, size or path, whatever the view. */
export function toMemoryVersion(row: MemoryVersionRow, view: MemoryView): MemoryVersion {
  return {
    type: 'memory_version',
    id: row.id,
    memory_id: row.memoryId,
    memory_store_id: row.storeId,
    operation: row.operation,
    created_at: row.createdAt,
    content: view === 'full' && row.redactedAt === null ? row.content : null,
    content_sha256: row.redactedAt === null ? row.contentSha256 : null,
    content_size_bytes: row.redactedAt === null ? row.contentSizeBytes : null,
    path: row.redactedAt === null ? row.path : null,
    created_by: row.createdBy,
    redacted_at: row.redactedAt,
    redacted_by: row.redactedBy,
  };
}
