import type { ResourceRecord } from '../ports/store.js';

/** Work items of self-hosted environments (spec §3.5, §6). */
export type WorkState = 'queued' | 'starting' | 'active' | 'stopping' | 'stopped';

export interface Work {
  type: 'work';
  id: string;
  environment_id: string;
  state: WorkState;
  data: { type: 'session'; id: string };
  /** Only the poll response carries it; stored and listed items say null. */
  secret: string | null;
  metadata: Record<string, string>;
  created_at: string;
  acknowledged_at: string | null;
  started_at: string | null;
  latest_heartbeat_at: string | null;
  stop_requested_at: string | null;
  stopped_at: string | null;
}

/** The stored form: the wire object plus the server's private lease bookkeeping. */
export interface WorkDocument extends Work {
  /** The last `last_heartbeat` handed out; null until the first heartbeat of the current claim. */
  _last_heartbeat: string | null;
  /** When the current worker's lease ends without another heartbeat. */
  _lease_expires_at: string | null;
  /** When the item was last handed out by a poll (un-acked items are reclaimable after a while). */
  _polled_at: string | null;
  _worker_id: string | null;
  /** SHA-256 of the current claim's sessions token; each poll mints a new one. */
  _token_hash: string | null;
}

export interface WorkHeartbeat {
  type: 'work_heartbeat';
  last_heartbeat: string;
  lease_extended: boolean;
  state: WorkState;
  ttl_seconds: number;
}

export interface WorkQueueStats {
  type: 'work_queue_stats';
  depth: number;
  pending: number;
  oldest_queued_at: string | null;
  workers_polling: number | null;
}

/** States in which a worker may still hold the item. */
export const LIVE_STATES: readonly WorkState[] = ['queued', 'starting', 'active', 'stopping'];

export function toWire(document: WorkDocument, secret: string | null = null): Work {
  const {
    _last_heartbeat: _a,
    _lease_expires_at: _b,
    _polled_at: _c,
    _worker_id: _d,
    _token_hash: _e,
    ...work
  } = document;
  return { ...work, secret };
}

/**
 * The resources row. `name` holds the session id while the item is live, so
 * the unique (kind, name) index allows one live item per session, across nodes.
 */
export function workRecord(document: WorkDocument, now: string): ResourceRecord<WorkDocument> {
  return {
    kind: 'work',
    id: document.id,
    parentId: document.environment_id,
    name: document.state === 'stopped' ? null : document.data.id,
    status: document.state,
    refId: document.data.id,
    refVersion: null,
    createdAt: document.created_at,
    updatedAt: now,
    archivedAt: null,
    doc: document,
  };
}
