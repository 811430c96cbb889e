import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error the console is plain JavaScript served as is
import { threadLabel } from '../../src/console/static/session-header.js';

describe('console thread list labels', () => {
  it('names advisor consultations by model and marks inline agents', () => {
    assert.equal(
      threadLabel({ id: 'sthr_1', agent: { type: 'advisor', model: 'claude-opus-4-6' } }),
      'Advisor (claude-opus-4-6)',
    );
    assert.equal(threadLabel({ id: 'sthr_2', agent: { type: 'inline', name: 'Scout' } }), 'Scout (inline)');
    assert.equal(threadLabel({ id: 'sthr_3', agent: { type: 'agent', name: 'Helper' } }), 'Helper');
    assert.equal(threadLabel({ id: 'sthr_4', agent: null }), 'sthr_4');
  });
});
