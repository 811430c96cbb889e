import type { PreviewEvent } from '../events/session-event.js';
import type { StoredEvent } from './store.js';

/**
 * Live fan-out of committed events. In-process on SQLite; LISTEN/NOTIFY on
 * Postgres so every node's subscribers see every event. Publishing happens
 * only after the append commits.
 *
 * Besides committed events the bus carries ephemeral previews
 * (`event_start`/`event_delta`): never stored, delivered best-effort.
 */
export type BusMessage =
  | { kind: 'event'; event: StoredEvent }
  | { kind: 'ephemeral'; sessionId: string; payload: PreviewEvent };

export type EventListener = (message: BusMessage) => void;

/** Why a session's harness is woken: new input, or an interrupt to stop the running turn now. */
export type SessionSignal = { type: 'input' } | { type: 'interrupt'; threadId: string | null };

export interface EventBus {
  publish(event: StoredEvent): void;
  publishEphemeral(sessionId: string, payload: PreviewEvent): void;
  subscribe(sessionId: string, listener: EventListener): () => void;
  /** Wakes harnesses on any node when a session has new input, or must stop its turn. */
  onSessionSignal(listener: (sessionId: string, signal: SessionSignal) => void): () => void;
  signalSession(sessionId: string, signal?: SessionSignal): void;
  /**
   * Called after the bus reconnected (Postgres: LISTEN again after the connection dropped). What
   * was signalled meanwhile may be lost; a listener looks in the log for it.
   */
  onReconnect?(listener: () => void): () => void;
  close(): Promise<void>;
}
