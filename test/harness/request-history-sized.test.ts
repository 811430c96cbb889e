import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SessionEvent } from '../../src/core/events/session-event.js';
import {
  assembleRequest,
  buildModelRequest,
  RequestHistory,
} from '../../src/core/harness/build-model-request.js';
import { estimateTokens, needsCompaction } from '../../src/core/harness/compaction.js';
import type { LogEntry } from '../../src/core/harness/session-state.js';
import type { ModelToolDefinition } from '../../src/core/ports/model-provider.js';
import { convertToAnthropicRequest } from '../../src/providers/anthropic/convert-to-anthropic-request.js';
import { createRequestSerializer } from '../../src/providers/anthropic/serialize-anthropic-request.js';

// Issue #21: RequestHistory prepares the messages before the last once and shares them between
// requests, and counts the length of their JSON instead of serialising the conversation at each
// step. The request must be byte for byte what a whole rebuild sends, and the estimate the same.

const text = (value: string) => [{ type: 'text', text: value }];
const agent = { model: { id: 'claude-sonnet-4-5' }, system: 'be "brief"\n' } as Parameters<
  typeof buildModelRequest
>[0];
const tools: ModelToolDefinition[] = [
  { name: 'bash', description: 'run a command', input_schema: { type: 'object' } },
];

/** Every event type that changes the conversation, plus the ones that restart or mark it. */
function logOf(steps: ReadonlyArray<{ kind: number; pick: number }>): LogEntry[] {
  const log: LogEntry[] = [];
  const toolIds: string[] = [];
  let seq = 0;
  for (const { kind, pick } of steps) {
    seq += 1 + (pick % 2);
    const id = `sevt_${seq}`;
    const tool = toolIds[pick % Math.max(1, toolIds.length)] ?? 'sevt_missing';
    const draft: Record<string, unknown> = (() => {
      switch (kind) {
        case 0:
          return { type: 'user.message', content: text(`hello ${seq} "quoted" \u00e9\u2028`) };
        case 1:
          return { type: 'agent.message', content: text(`answer ${seq}`) };
        case 2:
          toolIds.push(id);
          return { type: 'agent.tool_use', name: 'bash', input: { command: `echo ${seq}` } };
        case 3:
          return {
            type: 'agent.tool_result',
            tool_use_id: tool,
            content: text('ok'),
            is_error: pick % 3 === 0,
          };
        case 4:
          return { type: 'system.message', content: text(`notice ${seq}`) };
        case 5:
          return { type: 'span.model_request_start' };
        case 6:
          return pick % 2
            ? { type: 'agent.thread_context_compacted' }
            : { type: 'agent.thread_context_compacted', summarized_through_seq: seq - 1 - (pick % 7) };
        case 7:
          toolIds.push(id);
          return { type: 'agent.custom_tool_use', name: 'c', input: { n: seq } };
        case 8:
          return { type: 'user.custom_tool_result', custom_tool_use_id: tool, content: [] };
        default:
          return { type: 'session.status_idle', stop_reason: { type: 'end_turn' } };
      }
    })();
    const event = { ...draft, id, processed_at: '2026-01-01T00:00:00.000Z' };
    log.push({ seq, event: event as unknown as SessionEvent });
  }
  return log;
}

const step = fc.record({ kind: fc.integer({ min: 0, max: 9 }), pick: fc.nat() });

describe('RequestHistory.sized: prepared messages and their JSON length', () => {
  it('after every entry, the request equals a whole rebuild byte for byte, and the estimate is the same', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 150 }),
        fc.array(fc.boolean(), { maxLength: 150 }),
        (steps, reads) => {
          const log = logOf(steps);
          const history = new RequestHistory();
          const serialize = createRequestSerializer();
          for (const [index, entry] of log.entries()) {
            history.add(entry);
            // Reads at some entries only: what was prepared must survive entries added unread.
            if (!(reads[index] ?? true) && index < log.length - 1) continue;
            const { messages, jsonLength } = history.sized();
            const whole = buildModelRequest(agent, tools, log.slice(0, index + 1));
            const request = assembleRequest(agent, tools, messages);
            assert.equal(JSON.stringify(request), JSON.stringify(whole));
            assert.deepEqual(messages, whole.messages);
            assert.equal(jsonLength, JSON.stringify(messages).length);
            assert.equal(estimateTokens(request, jsonLength), estimateTokens(whole));
            // The Anthropic body, written from the messages' kept JSON, is what the SDK would send.
            assert.equal(
              serialize(convertToAnthropicRequest(request)).toString('hex'),
              Buffer.from(JSON.stringify(convertToAnthropicRequest(whole))).toString('hex'),
            );
            for (const window of [10, 100, 1000]) {
              assert.equal(needsCompaction(request, window, jsonLength), needsCompaction(whole, window));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('what one request does with its messages cannot change the next', () => {
    const history = new RequestHistory();
    const log = logOf([
      { kind: 0, pick: 0 },
      { kind: 1, pick: 0 },
      { kind: 0, pick: 0 },
    ]);
    for (const entry of log) history.add(entry);
    const first = history.messages();
    first.pop();
    assert.throws(() => first[0]?.content.push({ type: 'text', text: 'x' }), TypeError);
    assert.throws(() => {
      (first[0] as { role: string }).role = 'assistant';
    }, TypeError);
    assert.deepEqual(history.messages(), buildModelRequest(agent, tools, log).messages);
  });
});
