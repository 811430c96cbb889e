import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '../../src/core/events/session-event.js';
import { foldSessionState, type LogEntry } from '../../src/core/harness/session-state.js';

// Which input a turn has consumed decides whether the harness starts another turn: input lost
// here is a user's message that is never answered; input never consumed is a turn run forever.

const at = '2026-01-01T00:00:00.000Z';

function log(...events: Record<string, unknown>[]): LogEntry[] {
  return events.map((event, index) => ({
    seq: index + 1,
    event: { id: `sevt_${index + 1}`, processed_at: at, ...event } as SessionEvent,
  }));
}

const message = (text: string) => ({ type: 'user.message', content: [{ type: 'text', text }] });
const running = { type: 'session.status_running' };
const requestStart = (id: string) => ({ type: 'span.model_request_start', id });
const requestEnd = (id: string, isError = false) => ({
  type: 'span.model_request_end',
  model_request_start_id: id,
  is_error: isError,
  model_usage: {
    input_tokens: 1,
    output_tokens: 1,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  },
});
const idle = (type: string) => ({ type: 'session.status_idle', stop_reason: { type }, stop_details: null });

describe('the fold: input a turn has consumed', () => {
  it('a finished turn consumes what its model request saw', () => {
    const state = foldSessionState(
      log(message('hi'), running, requestStart('r1'), requestEnd('r1'), idle('end_turn')),
    );
    assert.equal(state.hasNewInput, false);
  });

  it('a message that lands while the turn is ending is not flushed by its idle', () => {
    // The model's last request started before the message; the turn went idle after it.
    const state = foldSessionState(
      log(
        message('hi'),
        running,
        requestStart('r1'),
        requestEnd('r1'),
        message('and this?'),
        idle('end_turn'),
      ),
    );
    assert.equal(state.hasNewInput, true);
  });

  it('a thread reply or a server notice landing at the idle is kept too', () => {
    for (const late of [
      { type: 'agent.thread_message_received', from_session_thread_id: 'sthr_1', content: [] },
      { type: 'system.message', content: [{ type: 'text', text: 'run ended' }] },
    ]) {
      const state = foldSessionState(
        log(message('hi'), running, requestStart('r1'), requestEnd('r1'), late, idle('end_turn')),
      );
      assert.equal(state.hasNewInput, true, late.type);
    }
  });

  it('a failed turn consumes the input it failed on, so it is not retried forever', () => {
    const failed = foldSessionState(
      log(message('hi'), running, requestStart('r1'), requestEnd('r1', true), idle('retries_exhausted')),
    );
    assert.equal(failed.hasNewInput, false);
    // Failing before any model request: the input that started the turn is consumed all the same.
    const early = foldSessionState(log(message('hi'), running, idle('retries_exhausted')));
    assert.equal(early.hasNewInput, false);
    // A message sent while the failing request ran was never tried: it gets its own turn.
    const later = foldSessionState(
      log(
        message('hi'),
        running,
        requestStart('r1'),
        message('retry?'),
        requestEnd('r1', true),
        idle('retries_exhausted'),
      ),
    );
    assert.equal(later.hasNewInput, true);
  });

  it("a turn's own tool results left at a step-limit idle are flushed", () => {
    const state = foldSessionState(
      log(
        message('hi'),
        running,
        requestStart('r1'),
        requestEnd('r1'),
        { type: 'agent.tool_use', id: 'tu1', name: 'bash', input: {} },
        { type: 'agent.tool_result', tool_use_id: 'tu1', content: [], is_error: false },
        idle('retries_exhausted'),
      ),
    );
    assert.equal(state.hasNewInput, false);
  });

  it('an interrupt flushes queued input', () => {
    const state = foldSessionState(
      log(message('hi'), running, requestStart('r1'), message('more'), { type: 'user.interrupt' }),
    );
    assert.equal(state.hasNewInput, false);
  });

  it('input kept by a requires_action or budget idle resumes the turn', () => {
    const state = foldSessionState(log(message('hi'), idle('budget_reached')));
    assert.equal(state.hasNewInput, true);
  });
});
