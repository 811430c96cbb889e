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
  let status: SessionState['status'] = 'idle';
  let lastIdle: SessionState['lastIdle'];
  let consumedUpTo = 0;
  // External input is flushed by an idle only up to what the turn could have seen (see below).
  let externalConsumedUpTo = 0;
  let lastExternalInputSeq = 0;
  let turnSeenUpTo = 0;
  let openModelRequest: { id: string; seq: number } | undefined;
  let modelRequestCount = 0;
  const toolUses = new Map<string, PendingToolUse>();
  const confirmations = new Map<string, EventOf<'user.tool_confirmation'>>();
  const resolved = new Set<string>();
  let lastInputSeq = 0;
  let lastInterruptSeq = 0;

  for (const { seq, event } of log) {
    switch (event.type) {
      case 'session.status_running':
        status = 'running';
        turnSeenUpTo = Math.max(turnSeenUpTo, seq);
        break;
      case 'session.status_rescheduled':
        status = 'rescheduling';
        break;
      case 'session.status_terminated':
        status = 'terminated';
        break;
      case 'session.status_idle':
        status = 'idle';
        lastIdle = { stopReason: event.stop_reason, seq };
        // Going idle flushes queued input, except to wait for the client or for a raised
        // budget: those turns resume where they stopped.
        // Input that arrived after the turn's last model request started (while the turn was
        // ending) was never seen: it stays queued and starts the next turn instead of being lost.
        if (event.stop_reason.type !== 'requires_action' && event.stop_reason.type !== 'budget_reached') {
          consumedUpTo = Math.max(consumedUpTo, seq);
          externalConsumedUpTo = Math.max(externalConsumedUpTo, turnSeenUpTo);
        }
        break;
      case 'user.interrupt':
        consumedUpTo = Math.max(consumedUpTo, seq);
        externalConsumedUpTo = Math.max(externalConsumedUpTo, seq);
        lastInterruptSeq = seq;
        break;
      case 'span.model_request_start':
        openModelRequest = { id: event.id, seq };
        turnSeenUpTo = Math.max(turnSeenUpTo, seq);
        modelRequestCount += 1;
        break;
      case 'span.model_request_end':
        if (openModelRequest && event.model_request_start_id === openModelRequest.id) {
          if (!event.is_error) {
            consumedUpTo = Math.max(consumedUpTo, openModelRequest.seq);
            externalConsumedUpTo = Math.max(externalConsumedUpTo, openModelRequest.seq);
          }
          openModelRequest = undefined;
        }
        break;
      case 'agent.tool_use':
      case 'agent.mcp_tool_use':
        toolUses.set(event.id, {
          event,
          seq,
          decision: event.evaluated_permission ?? 'allow',
        });
        break;
      case 'agent.custom_tool_use':
        toolUses.set(event.id, { event, seq, decision: 'client' });
        break;
      case 'user.tool_confirmation':
        confirmations.set(event.tool_use_id, event);
        break;
      case 'agent.tool_result':
      case 'user.tool_result':
        resolved.add(event.tool_use_id);
        break;
      case 'agent.mcp_tool_result':
        resolved.add(event.mcp_tool_use_id);
        break;
      case 'user.custom_tool_result':
        resolved.add(event.custom_tool_use_id);
        break;
      default:
        break;
    }
    // An outcome's define and a verdict that asks for a revision start the agent without client input.
    if (EXTERNAL_INPUT_TYPES.has(event.type)) lastExternalInputSeq = seq;
    else if (TURN_INPUT_TYPES.has(event.type) || startsAgentTurn(event)) lastInputSeq = seq;
  }

  const unresolved: PendingToolUse[] = [];
  for (const pending of toolUses.values()) {
    if (resolved.has(pending.event.id)) continue;
    const confirmation = confirmations.get(pending.event.id);
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
    status,
    lastIdle,
    unresolved,
    hasNewInput: lastInputSeq > consumedUpTo || lastExternalInputSeq > externalConsumedUpTo,
    danglingModelRequestId: openModelRequest?.id,
    modelRequestCount,
    lastInterruptSeq,
  };
}

/** The ids a client must answer before the turn can go on. */
export function awaitingClient(state: SessionState): string[] {
  return state.unresolved
    .filter((pending) => pending.decision === 'ask' || pending.decision === 'client')
    .map((pending) => pending.event.id);
}
