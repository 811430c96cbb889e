import type { AppendKeys } from '../ports/harness-log.js';
import type { LogEntry } from './session-state.js';

/**
 * Deterministic idempotency keys for harness appends (decision 0002). The
 * harness is a pure function of the log: a step folded from the same log makes
 * the same appends. Two runs of one step (a node that lost its lease and a node
 * that woke the session, or a retry after a crash between an append and what
 * followed) therefore produce the same keys, and the store keeps the first
 * event of each key (unique `(session_id, idempotency_key)`), returning it to
 * the second run instead of appending again.
 *
 * Keys are per session (the index is), and a child thread's keys are prefixed
 * with its thread id (thread-scope.ts). Two kinds of key:
 * - at a position: `@<seq>:<what>`, where seq is the last event of the thread's
 *   view the step was folded from: status changes, usage snapshots, errors,
 *   compaction and the start of a model request;
 * - answering an event: `<event id>:<what>`: a tool use has one result (whether
 *   run, denied or interrupted), a model request start one end (answered,
 *   failed, or closed on wake) and one thinking event, a delegation call one
 *   thread and one message, a child's idle one reply to the coordinator.
 */
export type StepPosition = `@${number}`;

/** Where a step stands: the seq of the last event in the view it was folded from. */
export function stepPosition(events: readonly LogEntry[]): StepPosition {
  return `@${events.at(-1)?.seq ?? 0}`;
}

/** The seq a position stands at. */
export function positionSeq(position: StepPosition): number {
  return Number(position.slice(1));
}

/** A key for what a step appends at its position. */
export function keyAt(position: StepPosition, what: string): string {
  return `${position}:${what}`;
}

/** A key for the one event (or batch) that answers or closes the event `eventId`. */
export function answerKey(eventId: string, what: string): string {
  return `${eventId}:${what}`;
}

/** A thread's keys live beside the primary thread's in the session's one key space. */
export function prefixKeys(keys: AppendKeys | undefined, prefix: string): AppendKeys | undefined {
  if (keys === undefined) return undefined;
  return typeof keys === 'string' ? `${prefix}/${keys}` : keys.map((key) => `${prefix}/${key}`);
}
