import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from '../../src/core/domain/session.js';
import type { SessionEvent } from '../../src/core/events/session-event.js';
import type { LogEntry } from '../../src/core/harness/session-state.js';
import { foldSessionState } from '../../src/core/harness/session-state.js';
import { parseVerdict } from '../../src/core/outcomes/grader-request.js';
import { projectOutcome } from '../../src/core/outcomes/outcome-projection.js';
import { foldOutcome } from '../../src/core/outcomes/outcome-state.js';
import { webhookTypesOfSessionEvent } from '../../src/core/webhooks/webhook-event-types.js';

const usage = {
  input_tokens: 1,
  output_tokens: 1,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};
let seq = 0;
const at = '2026-01-01T00:00:00.000Z';
const entry = (event: Record<string, unknown>): LogEntry => {
  seq += 1;
  return { seq, event: { id: `sevt_${seq}`, processed_at: at, ...event } as SessionEvent };
};
const define = () =>
  entry({
    type: 'user.define_outcome',
    description: 'd',
    rubric: { type: 'text', content: 'r' },
    max_iterations: 3,
    outcome_id: 'outc_1',
  });
const start = (iteration: number) =>
  entry({ type: 'span.outcome_evaluation_start', outcome_id: 'outc_1', iteration });
const end = (startId: string, iteration: number, result: string) =>
  entry({
    type: 'span.outcome_evaluation_end',
    outcome_evaluation_start_id: startId,
    outcome_id: 'outc_1',
    iteration,
    result,
    explanation: 'e',
    usage,
  });

describe('outcome fold', () => {
  it('an evaluation started and not ended is open (a woken harness grades it again)', () => {
    const log = [define(), entry({ type: 'agent.message', content: [] }), start(0)];
    const state = foldOutcome(log);
    assert.equal(state?.open?.startId, log[2]?.event.id);
    assert.equal(state?.terminal, false);
  });

  it('needs_revision is input for the agent and moves to the next iteration; satisfied is terminal', () => {
    const first = start(0);
    const log = [define(), first, end(first.event.id, 0, 'needs_revision')];
    assert.equal(foldOutcome(log)?.iteration, 1);
    assert.equal(foldOutcome(log)?.open, undefined);
    assert.equal(foldSessionState(log).hasNewInput, true, 'the revision turn starts without client input');
    const second = start(1);
    const done = [...log, second, end(second.event.id, 1, 'satisfied')];
    assert.equal(foldOutcome(done)?.terminal, true);
  });

  it('an interrupt before a terminal verdict marks the outcome interrupted', () => {
    const log = [define(), start(0), entry({ type: 'user.interrupt' })];
    assert.equal(foldOutcome(log)?.interrupted, true);
  });
});

describe('grader verdicts', () => {
  it('reads a submit_verdict call, else a JSON verdict in text, else none', () => {
    assert.deepEqual(
      parseVerdict([
        { type: 'tool_use', id: 't', name: 'submit_verdict', input: { result: 'failed', explanation: 'x' } },
      ]),
      { result: 'failed', explanation: 'x' },
    );
    assert.deepEqual(
      parseVerdict([{ type: 'text', text: 'Verdict: {"result":"satisfied","explanation":"ok"}' }]),
      {
        result: 'satisfied',
        explanation: 'ok',
      },
    );
    assert.equal(parseVerdict([{ type: 'text', text: 'scripted: echo' }]), undefined);
    assert.equal(
      parseVerdict([{ type: 'tool_use', id: 't', name: 'submit_verdict', input: { result: 'great' } }]),
      undefined,
    );
  });
});

describe('outcome projection and webhooks', () => {
  it('pending → running → evaluating → running (revision) → satisfied with completed_at', () => {
    let session = { status: 'idle', outcome_evaluations: [] } as unknown as Session;
    const steps: Array<[object, string, number]> = [
      [define().event, 'pending', 0],
      [{ type: 'session.status_running' }, 'running', 0],
      [start(0).event, 'evaluating', 0],
      [end('s', 0, 'needs_revision').event, 'running', 1],
      [start(1).event, 'evaluating', 1],
      [end('s', 1, 'satisfied').event, 'satisfied', 1],
    ];
    for (const [event, result, iteration] of steps) {
      session = projectOutcome(session, event as unknown as SessionEvent);
      assert.equal(session.outcome_evaluations[0]?.result, result);
      assert.equal(session.outcome_evaluations[0]?.iteration, iteration);
    }
    assert.equal(session.outcome_evaluations[0]?.completed_at, at);
  });

  it('every evaluation end publishes session.outcome_evaluation_ended', () => {
    assert.deepEqual(webhookTypesOfSessionEvent(end('s', 0, 'needs_revision').event), [
      { type: 'session.outcome_evaluation_ended' },
    ]);
  });
});
