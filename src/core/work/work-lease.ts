import { toTimestamp } from '../clock.js';
import { conflict, PaddockError } from '../errors.js';
import type { WorkDocument, WorkHeartbeat } from './work.js';

/** The SDK's first heartbeat says it has seen none (spec §6.3). */
export const NO_HEARTBEAT = 'NO_HEARTBEAT';

export interface LeaseSettings {
  /** Granted when the worker asks for nothing (the SDK never asks). */
  defaultTtlSeconds: number;
  minTtlSeconds: number;
  maxTtlSeconds: number;
}

/**
 * 60 s: the SDK heartbeats every ttl/2 (so every 30 s), and a worker that dies
 * gives its item back to the queue within a minute. The SDK assumes 90 s
 * before the first reply, which is longer, so it never gives up too early.
 */
export const DEFAULT_LEASE: LeaseSettings = { defaultTtlSeconds: 60, minTtlSeconds: 10, maxTtlSeconds: 300 };

export interface HeartbeatInput {
  expectedLastHeartbeat?: string | undefined;
  desiredTtlSeconds?: number | undefined;
}

/**
 * One heartbeat: checks the caller's view of the lease, then extends it.
 * Once the item is stopping or stopped the precondition is not compared
 * (spec §6.3), so a worker tearing down always learns the state.
 */
export function applyHeartbeat(
  document: WorkDocument,
  input: HeartbeatInput,
  nowMs: number,
  settings: LeaseSettings,
): { document: WorkDocument; heartbeat: WorkHeartbeat } {
  const ttl = clamp(input.desiredTtlSeconds ?? settings.defaultTtlSeconds, settings);
  if (document.state === 'stopped') {
    return {
      document,
      heartbeat: {
        type: 'work_heartbeat',
        last_heartbeat: document._last_heartbeat ?? '',
        lease_extended: false,
        state: 'stopped',
        ttl_seconds: 0,
      },
    };
  }
  if (document.state !== 'stopping' && input.expectedLastHeartbeat !== undefined) {
    const current = document._last_heartbeat;
    const matches =
      input.expectedLastHeartbeat === NO_HEARTBEAT
        ? current === null
        : input.expectedLastHeartbeat === current;
    if (!matches) throw preconditionFailed(document, ttl);
  }
  const last = nextHeartbeat(document._last_heartbeat, nowMs);
  const now = toTimestamp(nowMs);
  const next: WorkDocument = {
    ...document,
    // The first heartbeat is when the worker has the item in hand: it becomes active.
    state: document.state === 'stopping' ? 'stopping' : 'active',
    acknowledged_at: document.acknowledged_at ?? now,
    started_at: document.started_at ?? now,
    latest_heartbeat_at: now,
    _last_heartbeat: last,
    _lease_expires_at: toTimestamp(nowMs + ttl * 1000),
  };
  return {
    document: next,
    heartbeat: {
      type: 'work_heartbeat',
      last_heartbeat: last,
      lease_extended: true,
      state: next.state,
      ttl_seconds: ttl,
    },
  };
}

/** Non-force stop asks the worker (it learns through heartbeats); force, or an unclaimed item, stops at once. */
export function applyStop(document: WorkDocument, force: boolean, nowMs: number): WorkDocument {
  const now = toTimestamp(nowMs);
  if (document.state === 'stopped') {
    // The SDK ignores 409 here; x-should-retry:false keeps it from retrying.
    throw conflict(`work ${document.id} is already stopped`, { errorCode: 'work_already_stopped' });
  }
  if (force || document.state === 'queued') {
    return {
      ...document,
      state: 'stopped',
      stop_requested_at: document.stop_requested_at ?? now,
      stopped_at: now,
      _lease_expires_at: null,
      _token_hash: null,
    };
  }
  return { ...document, state: 'stopping', stop_requested_at: document.stop_requested_at ?? now };
}

/**
 * A worker that stops heartbeating loses its item: a started one goes back to
 * the queue (fresh heartbeat chain, so the old worker gets 412),
 * and one that was already stopping is stopped.
 */
export function expireLease(document: WorkDocument, nowMs: number): WorkDocument | undefined {
  const expires = document._lease_expires_at;
  if (expires === null || Date.parse(expires) > nowMs) return undefined;
  if (document.state === 'stopping') return applyStop(document, true, nowMs);
  if (document.state !== 'starting' && document.state !== 'active') return undefined;
  return {
    ...document,
    state: 'queued',
    acknowledged_at: null,
    started_at: null,
    _last_heartbeat: null,
    _lease_expires_at: null,
    _polled_at: null,
    _worker_id: null,
    // The old claim's token stays valid until the next poll replaces it, so its worker
    // still authenticates and learns from a 412 that the lease is gone.
  };
}

function preconditionFailed(document: WorkDocument, ttl: number): PaddockError {
  return new PaddockError(
    'precondition_failed',
    `expected_last_heartbeat does not match the lease of work ${document.id}; another worker may hold it`,
    {
      errorCode: 'heartbeat_precondition_failed',
      details: {
        current_state: {
          last_heartbeat: document._last_heartbeat,
          lease_extended: false,
          state: document.state,
          ttl_seconds: ttl,
        },
      },
    },
  );
}

/** Heartbeat tokens are timestamps, kept strictly increasing so two beats never look alike. */
function nextHeartbeat(previous: string | null, nowMs: number): string {
  const previousMs = previous === null ? Number.NaN : Date.parse(previous);
  return toTimestamp(Number.isNaN(previousMs) ? nowMs : Math.max(nowMs, previousMs + 1));
}

function clamp(ttl: number, settings: LeaseSettings): number {
  return Math.min(settings.maxTtlSeconds, Math.max(settings.minTtlSeconds, Math.round(ttl)));
}
