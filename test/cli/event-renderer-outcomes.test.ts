import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventRenderer } from '../../src/cli/client/event-renderer.js';

/** `paddock run` and `sessions tail` show an outcome's grading and each verdict (docs/outcomes.md). */
describe('the CLI renders outcome events', () => {
  it('prints grading with a 1-based iteration and each verdict with its explanation', () => {
    let out = '';
    const renderer = new EventRenderer((text) => {
      out += text;
    });
    renderer.render({ type: 'span.outcome_evaluation_start', outcome_id: 'outc_1', iteration: 0 });
    renderer.render({ type: 'span.outcome_evaluation_ongoing', outcome_id: 'outc_1', iteration: 0 });
    renderer.render({
      type: 'span.outcome_evaluation_end',
      outcome_id: 'outc_1',
      iteration: 0,
      result: 'needs_revision',
      explanation: 'Mention violets.',
    });
    assert.equal(out, '(grading, iteration 1)\n◆ outcome: needs_revision: Mention violets.\n');
  });
});
