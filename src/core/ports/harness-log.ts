import type { DraftEvent, SessionEvent } from '../events/session-event.js';
import type { LogEntry } from '../harness/session-state.js';

/** A batch key, or one key per event (see append-keys.ts). */
export type AppendKeys = string | readonly string[];

/** The harness's view of the event log: read it whole, append to it. */
export interface HarnessLog {
  read(sessionId: string): Promise<LogEntry[]>;
  /**
   * Appends atomically. `keys` makes the append idempotent (append-keys.ts): a
   * batch key (event i gets `<key>#<i>`) or one key per event; an event whose
   * key is already in the log is not appended again, and the stored copy comes back.
   */
  append(sessionId: string, drafts: readonly DraftEvent[], keys?: AppendKeys): Promise<SessionEvent[]>;
  /** Stream-only previews (event_start / event_delta); never stored. */
  preview?(sessionId: string, payload: Record<string, unknown>): void;
  /** Reserves an event id, so a preview can name the event it will become. */
  newEventId?(): string;
  /** The whole session's log when `read` is a thread's view of it (usage and budgets are per session). */
  readSession?(sessionId: string): Promise<LogEntry[]>;
  /** The harness stopped driving a session: what is cached for it may be trimmed. */
  forget?(sessionId: string): void;
  /** The session is archived or deleted: drops everything cached for it. */
  drop?(sessionId: string): void;
}
