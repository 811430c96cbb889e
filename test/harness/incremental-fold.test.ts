import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SessionEvent } from '../../src/core/events/session-event.js';
import { buildModelRequest } from '../../src/core/harness/build-model-request.js';
import { FoldCheckpoints, ViewEntries } from '../../src/core/harness/fold-checkpoints.js';
import { foldSessionState, type LogEntry } from '../../src/core/harness/session-state.js';
import { foldUsageLedger } from '../../src/core/metering/session-usage.js';

// Issue #21 (decision 0025): a wake folds only what was appended since its checkpoint. That is
// correct only if folding a log in pieces, whatever the cut points, equals folding it whole.

const usage = {
  input_tokens: 3,
  output_tokens: 5,
  cache_read_input_tokens: 1,
  cache_creation_input_tokens: 2,
};
const text = (value: string) => [{ type: 'text', text: value }];
const THREADS = [undefined, 'sthr_a', 'sthr_b'];

/** One random step of a log; numbers pick earlier ids, so results and ends answer what exists. */
const step = fc.record({
  kind: fc.integer({ min: 0, max: 22 }),
  pick: fc.nat(),
  thread: fc.integer({ min: 0, max: 2 }),
  seconds: fc.integer({ min: 0, max: 90 }),
});

/** Builds a log from random steps: every event type the folds look at, in any order. */
function logOf(
  steps: ReadonlyArray<{ kind: number; pick: number; thread: number; seconds: number }>,
): LogEntry[] {
  const log: LogEntry[] = [];
  const toolIds: string[] = [];
  const starts: string[] = [];
  let time = Date.parse('2026-01-01T00:00:00.000Z');
  let seq = 0;
  for (const { kind, pick, thread, seconds } of steps) {
    seq += 1 + (pick % 3); // seqs of a view have gaps: other threads' events
    time += seconds * 1000;
    const id = `sevt_${seq}`;
    const earlier = <T>(ids: T[]) => ids[pick % Math.max(1, ids.length)];
    const tool = earlier(toolIds) ?? 'sevt_missing';
    const draft: Record<string, unknown> = (() => {
      switch (kind) {
        case 0:
          return { type: 'session.status_running' };
        case 1: {
          const types = ['end_turn', 'requires_action', 'budget_reached', 'retries_exhausted'];
          const type = types[pick % types.length];
          return {
            type: 'session.status_idle',
            stop_reason: type === 'requires_action' ? { type, event_ids: [tool] } : { type },
          };
        }
        case 2:
          return { type: pick % 2 ? 'session.status_rescheduled' : 'session.status_terminated' };
        case 3:
          return { type: 'user.message', content: text(`hello ${seq}`) };
        case 4:
          return { type: 'system.message', content: text(`notice ${seq}`) };
        case 5:
          return { type: 'user.interrupt' };
        case 6:
          starts.push(id);
          return { type: 'span.model_request_start' };
        case 7:
          return {
            type: 'span.model_request_end',
            model_request_start_id: earlier(starts) ?? 'none',
            is_error: pick % 4 === 0,
            model_usage: usage,
            model: pick % 2 ? 'claude-sonnet-4-5' : undefined,
          };
        case 8:
        case 9: {
          toolIds.push(id);
          const names = ['bash', 'web_fetch', 'web_search'];
          const permissions = [undefined, 'allow', 'ask', 'deny'];
          return {
            type: 'agent.tool_use',
            name: names[pick % names.length],
            input: { n: seq },
            evaluated_permission: permissions[(pick >> 2) % permissions.length],
          };
        }
        case 10:
          toolIds.push(id);
          return { type: 'agent.mcp_tool_use', name: 'q', mcp_server_name: 'm', input: {} };
        case 11:
          toolIds.push(id);
          return { type: 'agent.custom_tool_use', name: 'c', input: { n: seq } };
        case 12:
          return { type: 'user.tool_confirmation', tool_use_id: tool, result: pick % 2 ? 'allow' : 'deny' };
        case 13:
          return {
            type: 'agent.tool_result',
            tool_use_id: tool,
            content: text('ok'),
            is_error: pick % 3 === 0,
          };
        case 14:
          return { type: 'user.tool_result', tool_use_id: tool, content: text('worker') };
        case 15:
          return { type: 'agent.mcp_tool_result', mcp_tool_use_id: tool, content: [] };
        case 16:
          return { type: 'user.custom_tool_result', custom_tool_use_id: tool, content: text('client') };
        case 17:
          return { type: 'agent.message', content: text(`answer ${seq}`) };
        case 18:
          // Markers with and without the seq their summary covered (input after it stays).
          return pick % 3 === 0
            ? { type: 'agent.thread_context_compacted' }
            : { type: 'agent.thread_context_compacted', summarized_through_seq: seq - 1 - (pick % 9) };
        case 19:
          return {
            type: 'agent.thread_message_received',
            from_session_thread_id: 'sthr_a',
            content: text('reply'),
          };
        case 20:
          return {
            type: pick % 2 ? 'session.thread_status_running' : 'session.thread_status_idle',
            stop_reason: { type: 'end_turn' },
          };
        case 21:
          return {
            type: 'span.outcome_evaluation_end',
            outcome_evaluation_start_id: 'e',
            outcome_id: 'o',
            iteration: 1,
            result: ['satisfied', 'needs_revision', 'max_iterations_reached'][pick % 3],
            explanation: 'graded',
            usage,
          };
        default:
          return { type: 'session.usage', usage: {} };
      }
    })();
    const threadId = THREADS[thread];
    const tagged = threadId ? { session_thread_id: threadId } : {};
    const event = { ...draft, ...tagged, id, processed_at: new Date(time).toISOString() };
    log.push({ seq, event: event as unknown as SessionEvent });
  }
  return log;
}

const agent = { model: { id: 'claude-sonnet-4-5' }, system: 'be brief' } as Parameters<
  typeof buildModelRequest
>[0];
const NOW = Date.parse('2026-01-02T00:00:00.000Z');
const threadOnly = (entry: LogEntry) => (entry.event.session_thread_id === 'sthr_a' ? entry : undefined);

/** Cut points: sorted positions in [0, length] where a wake read the log. */
const cuts = (length: number, picks: number[]) =>
  [...new Set(picks.map((pick) => pick % (length + 1)))].sort((a, b) => a - b).concat(length);

describe('incremental folds equal the whole fold (fold checkpoints)', () => {
  it('state, request history, usage and thread views, for random logs cut at random points', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (steps, picks) => {
          const log = logOf(steps);
          const folds = new FoldCheckpoints();
          for (const cut of cuts(log.length, picks)) {
            // Each read of the log is a prefix of it; each fold is checked against the whole fold of that prefix.
            const prefix = log.slice(0, cut);
            const wake = folds.wake('sesn_1', 'primary', prefix);
            assert.deepEqual(wake.state(), foldSessionState(prefix));
            const messages = buildModelRequest(agent, [], prefix).messages;
            assert.deepEqual(wake.history.messages(), messages);
            assert.deepEqual(
              folds.usage('sesn_1', prefix, NOW),
              foldUsageLedger(
                prefix.map((entry) => entry.event),
                NOW,
              ),
            );
            const view = folds.advance('sesn_1', 'view:sthr_a', prefix, () => new ViewEntries(threadOnly));
            assert.deepEqual(view.entries, prefix.filter(threadOnly));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a read older than the checkpoint folds apart and leaves the checkpoint as it was', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 60 }), fc.nat(), (steps, pick) => {
        const log = logOf(steps);
        const older = log.slice(0, pick % log.length);
        const folds = new FoldCheckpoints();
        folds.wake('sesn_1', 'primary', log);
        assert.deepEqual(folds.wake('sesn_1', 'primary', older).state(), foldSessionState(older));
        assert.deepEqual(folds.wake('sesn_1', 'primary', log).state(), foldSessionState(log));
      }),
      { numRuns: 100 },
    );
  });

  it('a view that does not continue the checkpoint (another view, a rewritten cache) is folded whole', () => {
    const log = logOf(
      Array.from({ length: 40 }, (_, index) => ({
        kind: index % 23,
        pick: index * 7,
        thread: 0,
        seconds: 1,
      })),
    );
    const folds = new FoldCheckpoints();
    folds.wake('sesn_1', 'primary', log.slice(0, 20));
    // Same length, other seqs (not a continuation): the checkpoint must not be trusted.
    const other = log.slice(20, 40);
    assert.deepEqual(folds.wake('sesn_1', 'primary', other).state(), foldSessionState(other));
  });

  it('the bound drops least recently used sessions; archive or delete drops one at once', () => {
    const log = logOf(
      Array.from({ length: 10 }, (_, index) => ({ kind: 3, pick: index, thread: 0, seconds: 1 })),
    );
    const folds = new FoldCheckpoints(25);
    for (const id of ['a', 'b', 'c']) {
      folds.wake(id, 'primary', log);
      folds.forget(id);
    }
    assert.equal(folds.size, 2, 'three sessions of 10 entries under a bound of 25: the oldest goes');
    folds.wake('a', 'primary', log);
    folds.forget('a');
    assert.equal(folds.size, 2);
    folds.drop('a');
    assert.equal(folds.size, 1);
  });
});
