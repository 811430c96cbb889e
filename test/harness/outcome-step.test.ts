import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toTimestamp } from '../../src/core/clock.js';
import type { DraftEvent, SessionEvent } from '../../src/core/events/session-event.js';
import type { LogEntry } from '../../src/core/harness/session-state.js';
import { stepOutcome } from '../../src/core/outcomes/outcome-step.js';
import type { AppendKeys, HarnessLog } from '../../src/core/ports/harness-log.js';
import type { ModelProvider, ModelStreamPart } from '../../src/core/ports/model-provider.js';

/**
 * The outcome step alone, over an in-memory log that keeps keys as the store does
 * (an event whose key is logged comes back instead of being appended), with a
 * clock the test moves: heartbeats follow the clock, and a step replayed from a
 * stale fold applies its verdict once.
 */
function memoryLog(clock: { now(): number }) {
  const entries: LogEntry[] = [];
  const byKey = new Map<string, SessionEvent>();
  const log: HarnessLog = {
    read: async () => [...entries],
    async append(_sessionId: string, drafts: readonly DraftEvent[], keys?: AppendKeys) {
      return drafts.map((draft, index) => {
        const key = typeof keys === 'string' ? `${keys}#${index}` : keys?.[index];
        const known = key === undefined ? undefined : byKey.get(key);
        if (known) return known;
        const seq = entries.length + 1;
        const event = { ...draft, id: `sevt_${seq}`, processed_at: toTimestamp(clock.now()) } as SessionEvent;
        entries.push({ seq, event });
        if (key !== undefined) byKey.set(key, event);
        return event;
      });
    },
  };
  return { log, entries };
}

/** A grader whose stream moves the clock 10 s before each of its parts, then says `satisfied`. */
function slowGrader(clock: { advance(ms: number): void }): ModelProvider {
  return {
    name: 'slow',
    async *stream(): AsyncGenerator<ModelStreamPart> {
      const parts: ModelStreamPart[] = [
        { type: 'message-start', id: 'msg', model: 'grader' },
        {
          type: 'block-end',
          index: 0,
          block: {
            type: 'tool_use',
            id: 'toolu_1',
            name: 'submit_verdict',
            input: { result: 'satisfied', explanation: 'ok' },
          },
        },
        {
          type: 'message-end',
          stopReason: 'tool_use',
          usage: {
            input_tokens: 5,
            output_tokens: 2,
            cache_read_input_tokens: 0,
            cache_creation_input_tokens: 0,
          },
        },
      ];
      for (const part of parts) {
        clock.advance(10_000);
        yield part;
      }
    },
  };
}

describe('the outcome step', () => {
  it('beats by the clock while the grader streams and applies one verdict when replayed', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => now, advance: (ms: number) => (now += ms) };
    const { log, entries } = memoryLog(clock);
    await log.append('sesn_1', [
      {
        type: 'user.define_outcome',
        description: 'd',
        rubric: { type: 'text', content: 'r' },
        max_iterations: 3,
        outcome_id: 'outc_1',
      },
      { type: 'agent.message', content: [{ type: 'text', text: 'the work' }] },
    ]);
    const folded = await log.read('sesn_1');
    const context = {
      sessionId: 'sesn_1',
      agentModel: 'agent-model',
      log,
      router: { providerFor: () => slowGrader(clock) },
      clock,
      settings: { heartbeatMs: 20_000 },
      events: folded,
      idle: false,
      signal: new AbortController().signal,
    };
    assert.equal(await stepOutcome(context), 'stepped');
    const types = entries.map((entry) => entry.event.type);
    // 30 s of grading at one beat per 20 s: one heartbeat (at 20 s), none at 10 s or 30 s.
    assert.deepEqual(types.slice(2), [
      'span.outcome_evaluation_start',
      'span.outcome_evaluation_ongoing',
      'span.outcome_evaluation_end',
    ]);
    // The same step replayed from the same (now stale) fold, as after a lost lease: nothing new.
    const before = entries.length;
    assert.equal(await stepOutcome(context), 'stepped');
    assert.equal(entries.length, before, 'the replay returned the stored events');
    // A fresh fold sees the terminal verdict: nothing is left to do.
    assert.equal(await stepOutcome({ ...context, events: await log.read('sesn_1') }), 'none');
  });
});
