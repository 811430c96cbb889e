import type { StoredEvent } from './store.js';

/**
 * Live fan-out of committed events. In-process on SQLite; LISTEN/NOTIFY on
 * Postgres so every node's subscribers see every event. Publishing happens
 * only after the append commits.
 */
export type EventListener = (event: StoredEvent) => void;

export interface EventBus {
  publish(event: StoredEvent): void;
  subscribe(sessionId: string, listener: EventListener): () => void;
  /** Wakes harnesses on any node when a session has new input. */
  onSessionSignal(listener: (sessionId: string) => void): () => void;
  signalSession(sessionId: string): void;
  close(): Promise<void>;
}
