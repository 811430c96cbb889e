import type { BudgetLimit } from '../domain/session.js';
import type { DraftEvent, SessionEvent } from '../events/session-event.js';
import type { ToolOutcome } from '../ports/sandbox.js';
import type { AgentSnapshot } from './agent-snapshot.js';
import type { LoggedEvent } from './session-state.js';
import type { CatalogEntry, ExtraTool } from './tool-catalog.js';

/** A batch key, or one key per event (see append-keys.ts). */
export type AppendKeys = string | readonly string[];

/** The harness's view of the event log: read it whole, append to it. */
export interface HarnessLog {
  read(sessionId: string): Promise<LoggedEvent[]>;
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
  readSession?(sessionId: string): Promise<LoggedEvent[]>;
  /** Drops anything cached for a session the harness stopped driving. */
  forget?(sessionId: string): void;
}

export interface HarnessSession {
  id: string;
  status: string;
  environmentId: string;
  /** `self_hosted`: sandbox built-ins run on the customer's worker, not here (tool-placement.ts). */
  environmentType?: 'cloud' | 'self_hosted' | undefined;
  agent: AgentSnapshot;
  vaultIds: string[];
  archived: boolean;
  createdAt: string;
  /** The spend ceiling the harness enforces before each model request (src/core/metering/budget.ts). */
  budget: BudgetLimit | null;
}

export interface HarnessSessions {
  load(sessionId: string): Promise<HarnessSession | undefined>;
  /** Sessions whose log says work may be unfinished (running or rescheduling). */
  listUnfinished(): Promise<string[]>;
  /** Writes the usage/stats projection onto the session object. */
  saveUsage(
    sessionId: string,
    usage: Record<string, unknown>,
    stats: Record<string, unknown>,
    /** The snapshot's idempotency key (append-keys.ts). */
    key?: string,
  ): Promise<void>;
}

export interface ToolCall {
  session: HarnessSession;
  toolUseId: string;
  entry: CatalogEntry;
  input: Record<string, unknown>;
  signal: AbortSignal;
}

/** Runs one tool call wherever it belongs: sandbox, server, MCP server, another thread. */
export interface ToolRunner {
  run(call: ToolCall): Promise<ToolOutcome>;
  /** Tools contributed per session beyond the agent's own (MCP, delegation). */
  extraTools?(session: HarnessSession): Promise<ExtraTool[]>;
  /** End of a turn: side effects deferred during it (sandbox outputs → Files) are completed. */
  endTurn?(session: HarnessSession): Promise<void>;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };
