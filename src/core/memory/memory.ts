/** Wire types of memory stores, memories and memory versions (the SDK's beta/memory-stores). */

export interface MemoryStore {
  type: 'memory_store';
  id: string;
  name: string;
  description: string;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export interface Memory {
  type: 'memory';
  id: string;
  memory_store_id: string;
  path: string;
  content_sha256: string;
  content_size_bytes: number;
  memory_version_id: string;
  created_at: string;
  updated_at: string;
  /** null under `view=basic`. */
  content: string | null;
}

export interface MemoryPrefix {
  type: 'memory_prefix';
  path: string;
}

export type MemoryActor =
  | { type: 'api_actor'; api_key_id: string }
  | { type: 'session_actor'; session_id: string };

export type MemoryVersionOperation = 'created' | 'modified' | 'deleted';

export interface MemoryVersion {
  type: 'memory_version';
  id: string;
  memory_id: string;
  memory_store_id: string;
  operation: MemoryVersionOperation;
  created_at: string;
  content: string | null;
  content_sha256: string | null;
  content_size_bytes: number | null;
  path: string | null;
  created_by: MemoryActor | null;
  redacted_at: string | null;
  redacted_by: MemoryActor | null;
}

export type MemoryView = 'basic' | 'full';
