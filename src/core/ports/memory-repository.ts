/**
 * Rows of memories and their versions (src/core/memory/). A store itself is a `memory_store`
 * resource row, so it is workspace-scoped like every resource; these rows are reached only
 * through a store the caller could read, and carry the store's workspace for operators.
 */
import type { MemoryActor, MemoryVersionOperation } from '../memory/memory.js';

export interface MemoryRow {
  id: string;
  storeId: string;
  workspaceId: string;
  path: string;
  content: string;
  contentSha256: string;
  contentSizeBytes: number;
  /** The version that holds the current content: the compare-and-set token of every write. */
  versionId: string;
  createdAt: string;
  updatedAt: string;
}

export interface MemoryVersionRow {
  id: string;
  storeId: string;
  workspaceId: string;
  memoryId: string;
  operation: MemoryVersionOperation;
  path: string | null;
  content: string | null;
  contentSha256: string | null;
  contentSizeBytes: number | null;
  createdAt: string;
  createdBy: MemoryActor | null;
  redactedAt: string | null;
  redactedBy: MemoryActor | null;
}

export interface MemoryVersionQuery {
  storeId: string;
  memoryId?: string | undefined;
  operation?: MemoryVersionOperation | undefined;
  sessionId?: string | undefined;
  apiKeyId?: string | undefined;
  createdAtGte?: string | undefined;
  createdAtLte?: string | undefined;
  /** Newest first; continue after this (createdAt, id). */
  before?: { createdAt: string; id: string } | undefined;
  limit: number;
}

export interface MemoryRepository {
  get(storeId: string, id: string): Promise<MemoryRow | undefined>;
  /** The memory at `path`, or one whose path is an ancestor or a descendant of it. */
  findOverlapping(storeId: string, path: string, exceptId?: string): Promise<MemoryRow | undefined>;
  /** Every memory whose path starts with `prefix`, in path order. */
  listUnder(storeId: string, prefix: string): Promise<MemoryRow[]>;
  /** False when the path is taken (a concurrent create won). */
  insert(row: MemoryRow): Promise<boolean>;
  /** Compare-and-set on the current version; false when another write came first. */
  update(row: MemoryRow, expectedVersionId: string): Promise<boolean>;
  delete(storeId: string, id: string, expectedVersionId: string): Promise<boolean>;
  insertVersion(row: MemoryVersionRow): Promise<void>;
  getVersion(storeId: string, id: string): Promise<MemoryVersionRow | undefined>;
  listVersions(query: MemoryVersionQuery): Promise<MemoryVersionRow[]>;
  redactVersion(
    storeId: string,
    id: string,
    redactedAt: string,
    redactedBy: MemoryActor | null,
  ): Promise<void>;
  /** Removes the store's memories and versions (the store itself is a resource row). */
  deleteStore(storeId: string): Promise<void>;
}
