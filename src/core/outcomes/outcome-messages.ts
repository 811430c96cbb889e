import type { EventOf } from '../events/session-event.js';
import { rubricOf } from './outcome-state.js';

// What the working agent is told about an outcome: the task and the rubric when it is
// defined, and each verdict afterwards (a revision's feedback is its next input).

export function defineOutcomeText(event: EventOf<'user.define_outcome'>): string {
  const rubric = rubricOf(event);
  const rubricText =
    rubric.type === 'text'
      ? `<rubric>\n${rubric.content}\n</rubric>`
      : `The rubric is the file ${rubric.file_id}.`;
  return [
    `<outcome id="${event.outcome_id}">`,
    event.description,
    '',
    'When your turn ends, a separate grader evaluates what you produced (your final messages) against this rubric. It does not see your reasoning or tool calls, so state the deliverable itself in your final answer.',
    rubricText,
    '</outcome>',
  ].join('\n');
}

export function evaluationEndText(event: EventOf<'span.outcome_evaluation_end'>): string {
  const header = `<outcome-evaluation outcome_id="${event.outcome_id}" iteration="${event.iteration}" result="${event.result}">`;
  const next =
    event.result === 'needs_revision'
      ? 'Revise your work to address this feedback, then give the complete revised deliverable.'
      : event.result === 'max_iterations_reached'
        ? 'The evaluation budget is spent and no further evaluation will run. Reply with a short final summary of where the work stands.'
        : undefined;
  return [header, event.explanation, '</outcome-evaluation>', ...(next ? [next] : [])].join('\n');
}
