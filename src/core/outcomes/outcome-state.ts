import type { EventOf, SessionEvent } from '../events/session-event.js';
import type { LogEntry } from '../harness/session-state.js';

export type OutcomeResult = EventOf<'span.outcome_evaluation_end'>['result'];

/** Evaluations per outcome when `max_iterations` is not given (the SDK's default). */
export const DEFAULT_MAX_ITERATIONS = 3;

/** Results after which no evaluation of that outcome follows. */
export const TERMINAL_RESULTS: ReadonlySet<string> = new Set([
  'satisfied',
  'failed',
  'max_iterations_reached',
  'interrupted',
]);

export interface OpenEvaluation {
  startId: string;
  iteration: number;
  /** Heartbeats already logged for it (a resumed evaluation numbers its own after them). */
  heartbeats: number;
}

/** Where the session's latest outcome stands, folded from the log alone (no state kept elsewhere). */
export interface OutcomeState {
  define: EventOf<'user.define_outcome'>;
  /** The iteration of the next evaluation (or of the open one). */
  iteration: number;
  /** An evaluation started and not ended: the grader runs (or ran on a node that died). */
  open: OpenEvaluation | undefined;
  terminal: boolean;
  /** A user.interrupt arrived while the outcome was not terminal: it ends as `interrupted`. */
  interrupted: boolean;
}

/**
 * Folds the (primary thread's) log into its latest outcome. Only one outcome is
 * active at a time (the API refuses a second), so the latest define is the one.
 */
export function foldOutcome(log: readonly LogEntry[]): OutcomeState | undefined {
  let state: OutcomeState | undefined;
  for (const { event } of log) {
    if (event.type === 'user.define_outcome') {
      state = { define: event, iteration: 0, open: undefined, terminal: false, interrupted: false };
      continue;
    }
    if (!state) continue;
    switch (event.type) {
      case 'span.outcome_evaluation_start':
        if (event.outcome_id === state.define.outcome_id)
          state.open = { startId: event.id, iteration: event.iteration, heartbeats: 0 };
        break;
      case 'span.outcome_evaluation_ongoing':
        if (state.open && event.outcome_id === state.define.outcome_id) state.open.heartbeats += 1;
        break;
      case 'span.outcome_evaluation_end':
        if (event.outcome_id !== state.define.outcome_id) break;
        state.open = undefined;
        state.iteration = event.iteration + 1;
        if (TERMINAL_RESULTS.has(event.result)) state.terminal = true;
        break;
      case 'user.interrupt':
        if (!state.terminal) state.interrupted = true;
        break;
      default:
        break;
    }
  }
  return state;
}

/**
 * Verdicts the agent answers with another turn without client input: a revision
 * (`needs_revision`), or the one final acknowledgment after `max_iterations_reached`.
 */
export function startsAgentTurn(event: SessionEvent): boolean {
  return (
    event.type === 'span.outcome_evaluation_end' &&
    (event.result === 'needs_revision' || event.result === 'max_iterations_reached')
  );
}

/** The rubric as the grader reads it: inline text, or a file's id to resolve. */
export function rubricOf(
  define: EventOf<'user.define_outcome'>,
): { type: 'text'; content: string } | { type: 'file'; file_id: string } {
  const rubric = define.rubric as { type?: unknown; content?: unknown; file_id?: unknown } | null;
  if (rubric?.type === 'file' && typeof rubric.file_id === 'string')
    return { type: 'file', file_id: rubric.file_id };
  return { type: 'text', content: typeof rubric?.content === 'string' ? rubric.content : '' };
}
