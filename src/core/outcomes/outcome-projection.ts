import type { OutcomeEvaluation, Session } from '../domain/session.js';
import type { SessionEvent } from '../events/session-event.js';
import { TERMINAL_RESULTS } from './outcome-state.js';

/** Events that change the session's `outcome_evaluations` projection. */
export const OUTCOME_PROJECTION_TYPES: ReadonlySet<string> = new Set([
  'user.define_outcome',
  'session.status_running',
  'span.outcome_evaluation_start',
  'span.outcome_evaluation_end',
]);

/**
 * Folds one committed event into the session's outcome evaluations (one entry per
 * `user.define_outcome`): `pending` until the agent runs, `running` while it works
 * or revises, `evaluating` while the grader scores, then the terminal result with
 * `completed_at`. The log stays the truth; this makes `sessions.retrieve` cheap.
 */
export function projectOutcome(session: Session, event: SessionEvent): Session {
  const evaluations = session.outcome_evaluations ?? [];
  switch (event.type) {
    case 'user.define_outcome':
      return {
        ...session,
        outcome_evaluations: [
          ...evaluations,
          {
            type: 'outcome_evaluation',
            outcome_id: event.outcome_id,
            description: event.description,
            iteration: 0,
            // Defined mid-turn, the running agent takes it up with its next request.
            result: session.status === 'running' ? 'running' : 'pending',
            explanation: null,
            completed_at: null,
          },
        ],
      };
    case 'session.status_running':
      if (event.session_thread_id || !evaluations.some((each) => each.result === 'pending')) return session;
      return update(session, (each) => (each.result === 'pending' ? { ...each, result: 'running' } : each));
    case 'span.outcome_evaluation_start':
      return update(session, (each) =>
        each.outcome_id === event.outcome_id
          ? { ...each, result: 'evaluating', iteration: event.iteration }
          : each,
      );
    case 'span.outcome_evaluation_end':
      return update(session, (each) => {
        if (each.outcome_id !== event.outcome_id) return each;
        if (!TERMINAL_RESULTS.has(event.result))
          return {
            ...each,
            result: 'running',
            iteration: event.iteration + 1,
            explanation: event.explanation,
          };
        return {
          ...each,
          result: event.result,
          iteration: event.iteration,
          explanation: event.explanation,
          completed_at: event.processed_at,
        };
      });
    default:
      return session;
  }
}

function update(session: Session, change: (each: OutcomeEvaluation) => OutcomeEvaluation): Session {
  return { ...session, outcome_evaluations: (session.outcome_evaluations ?? []).map(change) };
}
