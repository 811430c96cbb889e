// Outcomes in the timeline: the outcome a user defined, the grader's progress and its verdict as a
// card (the SDK's user.define_outcome and span.outcome_evaluation_* events).
import { badge, h } from './dom.js';
import { formatUsage } from './format.js';
import { renderMarkdown } from './markdown.js';

const VERDICTS = {
  satisfied: 'Satisfied',
  needs_revision: 'Needs revision',
  failed: 'Failed',
  max_iterations_reached: 'Max iterations reached',
  interrupted: 'Interrupted',
};

/** `iteration` is 0-indexed on the wire; people count from 1. */
const round = (event) => (Number.isInteger(event.iteration) ? ` · iteration ${event.iteration + 1}` : '');

function rubric(event) {
  const value = event.rubric;
  if (value?.type === 'text')
    return h('details', null, h('summary', null, 'Rubric'), renderMarkdown(value.content ?? ''));
  if (value?.type === 'file') return h('p', { class: 'muted small' }, `Rubric: file ${value.file_id}`);
  return null;
}

/**
 * The entry of an outcome event: `{kind, title, body}` for timeline.js to frame, or undefined for
 * any other event.
 */
export function outcomeCard(event) {
  switch (event.type) {
    case 'user.define_outcome':
      return {
        kind: 'outcome',
        title: ['Outcome defined ', h('span', { class: 'muted small' }, event.outcome_id ?? '')],
        body: [
          h('p', null, event.description ?? ''),
          rubric(event),
          event.max_iterations
            ? h('p', { class: 'muted small' }, `At most ${event.max_iterations} iterations`)
            : null,
        ],
      };
    case 'span.outcome_evaluation_start':
      return { kind: 'span', title: `Grading the outcome${round(event)}`, body: [] };
    case 'span.outcome_evaluation_ongoing':
      return { kind: 'span', title: `Still grading${round(event)}`, body: [] };
    case 'span.outcome_evaluation_end': {
      const result = String(event.result ?? 'unknown');
      const usage = formatUsage(event.usage);
      return {
        kind: `verdict verdict-${result.replace(/[^a-z_]/g, '')}`,
        title: ['Verdict: ', badge(VERDICTS[result] ?? result, `verdict-${result}`), round(event)],
        body: [
          event.explanation ? renderMarkdown(event.explanation) : null,
          usage ? h('p', { class: 'muted small' }, `Grader: ${usage}`) : null,
        ],
      };
    }
    default:
      return undefined;
  }
}
