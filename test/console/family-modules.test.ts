import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { stepSpans } from '../../src/console/static/waterfall.js';
import { listZip, storedText } from '../../src/console/static/zip-listing.js';

describe("the console's zip reader (a skill version's files)", () => {
  it('lists the files of a stored zip with sizes and reads their text', () => {
    const bytes = zipSync(
      {
        'notes/SKILL.md': strToU8('---\nname: notes\n---\nHello ✓\n'),
        'notes/scripts/run.sh': strToU8('echo hi\n'),
        'notes/bin/blob': new Uint8Array([0xff, 0xfe, 0x00]),
      },
      { level: 0 },
    );
    const entries = listZip(bytes);
    assert.deepEqual(
      entries.map((entry) => [entry.path, entry.size]),
      [
        ['notes/SKILL.md', Buffer.byteLength('---\nname: notes\n---\nHello ✓\n')],
        ['notes/scripts/run.sh', 8],
        ['notes/bin/blob', 3],
      ],
    );
    assert.equal(storedText(bytes, entries[0] as (typeof entries)[0]), '---\nname: notes\n---\nHello ✓\n');
    assert.equal(storedText(bytes, entries[2] as (typeof entries)[0]), undefined, 'not UTF-8: no text');
  });

  it('does not read deflated entries as text, and refuses what is not a zip', () => {
    const bytes = zipSync({ 'a/b.txt': strToU8('x'.repeat(500)) }, { level: 9 });
    const [entry] = listZip(bytes);
    assert.equal(entry?.method, 8);
    assert.equal(storedText(bytes, entry as NonNullable<typeof entry>), undefined);
    assert.throws(() => listZip(strToU8('not a zip at all, just text')), /not a zip/);
  });

  it('never throws anything but an Error on random or truncated bytes', () => {
    const valid = zipSync({ 'x/y.md': strToU8('y') }, { level: 0 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(valid.length), (noise, cut) => {
        for (const bytes of [noise, valid.subarray(0, cut), valid.subarray(cut)]) {
          try {
            for (const entry of listZip(bytes)) storedText(bytes, entry);
          } catch (error) {
            assert.ok(error instanceof Error);
          }
        }
      }),
    );
  });
});

describe('the step waterfall', () => {
  const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
  it('pairs model requests, tool calls and gradings with their ends; open steps stay open', () => {
    const steps = stepSpans([
      { id: 'm1', type: 'span.model_request_start', processed_at: at(0) },
      {
        id: 'm1e',
        type: 'span.model_request_end',
        model_request_start_id: 'm1',
        is_error: false,
        model_usage: { input_tokens: 10, output_tokens: 2 },
        processed_at: at(2),
      },
      { id: 't1', type: 'agent.tool_use', name: 'bash', processed_at: at(2) },
      { id: 'x1', type: 'agent.mcp_tool_use', name: 'search', mcp_server_name: 'docs', processed_at: at(2) },
      { id: 't1r', type: 'agent.tool_result', tool_use_id: 't1', is_error: true, processed_at: at(5) },
      { id: 'o1', type: 'span.outcome_evaluation_start', iteration: 0, processed_at: at(6) },
      {
        id: 'o1e',
        type: 'span.outcome_evaluation_end',
        outcome_evaluation_start_id: 'o1',
        result: 'satisfied',
        processed_at: at(9),
      },
      { id: 'm2', type: 'span.model_request_start', session_thread_id: 'sthr_w', processed_at: at(9) },
    ]);
    assert.deepEqual(
      steps.map((step) => [step.kind, step.label, step.start, step.end, step.failed]),
      [
        ['model', 'model request', at(0), at(2), false],
        ['tool', 'bash', at(2), at(5), true],
        ['tool', 'search (docs)', at(2), undefined, false],
        ['outcome', 'grading, iteration 1', at(6), at(9), false],
        ['model', 'model request', at(9), undefined, false],
      ],
    );
    assert.equal(steps[0]?.detail, 'in 10 / out 2 tokens');
    assert.equal(steps[4]?.thread, 'sthr_w');
  });
});
