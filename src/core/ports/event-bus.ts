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

export interface EventBus {
  publish(event: StoredEvent): void;
  publishEphemeral(sessionId: string, payload: PreviewEvent): void;
  subscribe(sessionId: string, listener: EventListener): () => void;
  /** Wakes harnesses on any node when a session has new input. */
  onSessionSignal(listener: (sessionId: string) => void): () => void;
  signalSession(sessionId: string): void;
  close(): Promise<void>;
}
