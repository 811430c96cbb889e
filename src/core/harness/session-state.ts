import type { EventOf, SessionEvent, StopReason } from '../events/session-event.js';
import { startsAgentTurn } from '../outcomes/outcome-state.js';

/** One event as the harness folds it: the event and its seq in the session's log (EventLog's LoggedEvent is the stored row). */
export interface LogEntry {
  seq: number;
  event: SessionEvent;
}

type ToolUseEvent =
  | EventOf<'agent.tool_use'>
  | EventOf<'agent.mcp_tool_use'>
  | EventOf<'agent.custom_tool_use'>;

export interface PendingToolUse {
  event: ToolUseEvent;
  seq: number;
  /** allow: may run now; deny: needs a synthetic error result; ask: waiting for the client. */
  decision: 'allow' | 'deny' | 'ask' | 'client';
  denyMessage?: string | undefined;
}

/**
 * What the log says a session needs next. The harness keeps no state of its
 * own: every decision is re-derived from this fold, so any node can pick a
 * session up after a crash.
 */
export interface SessionState {
  status: 'idle' | 'running' | 'rescheduling' | 'terminated';
  lastIdle: { stopReason: StopReason; seq: number } | undefined;
  /** Tool uses without a result, oldest first. */
  unresolved: PendingToolUse[];
  /** Inputs the model has not seen yet (and that no interrupt or idle flushed). */
  hasNewInput: boolean;
  /** A model request started but never ended: the node died mid-call. */
  danglingModelRequestId: string | undefined;
  modelRequestCount: number;
  /** Sequence of the last user.interrupt; tool uses before it are cancelled. */
  lastInterruptSeq: number;
}

/** Input from outside the turn: a client, another thread, the server. It may land at any moment. */
const EXTERNAL_INPUT_TYPES = new Set([
  'user.message',
  'user.define_outcome',
  'system.message',
  'user.custom_tool_result',
  'user.tool_result',
  'agent.thread_message_received',
]);

/** Input the turn made itself (its tools' results). */
const TURN_INPUT_TYPES = new Set(['agent.tool_result', 'agent.mcp_tool_result']);

export function foldSessionState(log: readonly LogEntry[]): SessionState {
  const fold = new SessionFold();
  for (const entry of log) fold.add(entry);
  return fold.state();
}

/**
 * The fold of `foldSessionState`, one entry at a time: a wake keeps it between steps and
 * feeds it only the entries appended since (fold-checkpoints.ts). `state()` may be called
 * between adds; it reads the fold without changing it. Entries must come in seq order.
 */
export class SessionFold {
  private status: SessionState['status'] = 'idle';
  private lastIdle: SessionState['lastIdle'];
  private consumedUpTo = 0;
  // External input is flushed by an idle only up to what the turn could have seen (see below).
  private externalConsumedUpTo = 0;
  private lastExternalInputSeq = 0;
  private turnSeenUpTo = 0;
  private openModelRequest: { id: string; seq: number } | undefined;
  private modelRequestCount = 0;
  /** Tool uses without a result (a result removes its use, so this stays as small as what is pending). */
  private readonly toolUses = new Map<string, PendingToolUse>();
  private readonly confirmations = new Map<string, EventOf<'user.tool_confirmation'>>();
  /** Ids answered so far: a use logged after its result (never in practice) stays answered. */
  private readonly resolved = new Set<string>();
  private lastInputSeq = 0;
  private lastInterruptSeq = 0;

  add({ seq, event }: LogEntry): void {
    switch (event.type) {
      case 'session.status_running':
        this.status = 'running';
        this.turnSeenUpTo = Math.max(this.turnSeenUpTo, seq);
        break;
      case 'session.status_rescheduled':
        this.status = 'rescheduling';
        break;
      case 'session.status_terminated':
        this.status = 'terminated';
        break;
      case 'session.status_idle':
        this.status = 'idle';
        this.lastIdle = { stopReason: event.stop_reason, seq };
        // Going idle flushes queued input, except to wait for the client or for a raised
        // budget: those turns resume where they stopped.
        // Input that arrived after the turn's last model request started (while the turn was
        // ending) was never seen: it stays queued and starts the next turn instead of being lost.
        if (event.stop_reason.type !== 'requires_action' && event.stop_reason.type !== 'budget_reached') {
          this.consumedUpTo = Math.max(this.consumedUpTo, seq);
          this.externalConsumedUpTo = Math.max(this.externalConsumedUpTo, this.turnSeenUpTo);
        }
        break;
      case 'user.interrupt':
        this.consumedUpTo = Math.max(this.consumedUpTo, seq);
        this.externalConsumedUpTo = Math.max(this.externalConsumedUpTo, seq);
        this.lastInterruptSeq = seq;
        break;
      case 'span.model_request_start':
        this.openModelRequest = { id: event.id, seq };
        this.turnSeenUpTo = Math.max(this.turnSeenUpTo, seq);
        this.modelRequestCount += 1;
        break;
      case 'span.model_request_end':
        if (this.openModelRequest && event.model_request_start_id === this.openModelRequest.id) {
          if (!event.is_error) {
            this.consumedUpTo = Math.max(this.consumedUpTo, this.openModelRequest.seq);
            this.externalConsumedUpTo = Math.max(this.externalConsumedUpTo, this.openModelRequest.seq);
          }
          this.openModelRequest = undefined;
        }
        break;
      case 'agent.tool_use':
      case 'agent.mcp_tool_use':
        this.use({ event, seq, decision: event.evaluated_permission ?? 'allow' });
        break;
      case 'agent.custom_tool_use':
        this.use({ event, seq, decision: 'client' });
        break;
      case 'user.tool_confirmation':
        if (!this.resolved.has(event.tool_use_id)) this.confirmations.set(event.tool_use_id, event);
        break;
      case 'agent.tool_result':
      case 'user.tool_result':
        this.resolve(event.tool_use_id);
        break;
      case 'agent.mcp_tool_result':
        this.resolve(event.mcp_tool_use_id);
        break;
      case 'user.custom_tool_result':
        this.resolve(event.custom_tool_use_id);
        break;
      default:
        break;
    }
    // An outcome's define and a verdict that asks for a revision start the agent without client input.
    if (EXTERNAL_INPUT_TYPES.has(event.type)) this.lastExternalInputSeq = seq;
    else if (TURN_INPUT_TYPES.has(event.type) || startsAgentTurn(event)) this.lastInputSeq = seq;
  }

  state(): SessionState {
    const unresolved: PendingToolUse[] = [];
    for (const pending of this.toolUses.values()) {
      const confirmation = this.confirmations.get(pending.event.id);
      if (pending.decision === 'ask' && confirmation) {
        unresolved.push({
          ...pending,
          decision: confirmation.result,
          denyMessage: confirmation.deny_message ?? undefined,
        });
      } else {
        unresolved.push(pending);
      }
    }
    unresolved.sort((a, b) => a.seq - b.seq);
    return {
      status: this.status,
      lastIdle: this.lastIdle,
      unresolved,
      hasNewInput:
        this.lastInputSeq > this.consumedUpTo || this.lastExternalInputSeq > this.externalConsumedUpTo,
      danglingModelRequestId: this.openModelRequest?.id,
      modelRequestCount: this.modelRequestCount,
      lastInterruptSeq: this.lastInterruptSeq,
    };
  }

  private use(pending: PendingToolUse): void {
    if (this.resolved.has(pending.event.id)) return;
    // A second use with the same id replaces the first, in its place (as a Map.set keeps order).
    this.toolUses.set(pending.event.id, pending);
  }

  private resolve(toolUseId: string): void {
    this.resolved.add(toolUseId);
    this.toolUses.delete(toolUseId);
    this.confirmations.delete(toolUseId);
  }
}

/** The ids a client must answer before the turn can go on. */
export function awaitingClient(state: SessionState): string[] {
  return state.unresolved
    .filter((pending) => pending.decision === 'ask' || pending.decision === 'client')
    .map((pending) => pending.event.id);
}
