import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { filenameOf, queryString } from '../../src/console/static/api.js';
import {
  awaitsAction,
  contentText,
  displayStatus,
  formatBytes,
  formatCost,
  formatDuration,
  formatUsage,
  formatUsd,
  pendingConfirmations,
} from '../../src/console/static/format.js';
import { type SseFrame, SseParser } from '../../src/console/static/sse.js';

const STATIC = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'src', 'console', 'static');
const scripts = readdirSync(STATIC).filter((name) => name.endsWith('.js'));

describe('the console’s static modules', () => {
  it('every script parses (node --check) and imports in Node without a document', async () => {
    assert.ok(scripts.length >= 8, scripts.join(', '));
    for (const name of scripts) {
      const check = spawnSync(process.execPath, ['--check', join(STATIC, name)], { encoding: 'utf8' });
      assert.equal(check.status, 0, `${name}: ${check.stderr}`);
      await import(pathToFileURL(join(STATIC, name)).href);
    }
  });

  it('builds DOM from text nodes only, and stays small', () => {
    for (const name of readdirSync(STATIC)) {
      const text = readFileSync(join(STATIC, name), 'utf8');
      assert.doesNotMatch(
        text,
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
        name,
      );
      assert.ok(text.split('\n').length <= 400, `${name} is under 400 lines`);
      if (name.endsWith('.html')) {
        assert.doesNotMatch(text, /<script(?![^>]*\bsrc=)/, 'no inline script');
        assert.doesNotMatch(text, /\sstyle=|<style/, 'no inline style');
        assert.doesNotMatch(text, /https?:\/\//, 'no remote resource');
      }
    }
  });
});

describe('SseParser', () => {
  const stream =
    ': ping\r\n\r\n' +
    'event: session.status_running\r\nid: sevt_1\r\ndata: {"type":"session.status_running"}\r\n\r\n' +
    ': ping\n\n' +
    'event: agent.message\nid: sevt_2\ndata: {"a":\ndata: 1}\n\n' +
    'retry: 10\rdata:no-space\r\r' +
    'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"bye"}}\n\n' +
    'event: cut-off\ndata: never dispatched';

  const expected: SseFrame[] = [
    { event: 'session.status_running', id: 'sevt_1', data: '{"type":"session.status_running"}' },
    { event: 'agent.message', id: 'sevt_2', data: '{"a":\n1}' },
    { event: 'message', id: null, data: 'no-space' },
    {
      event: 'error',
      id: null,
      data: '{"type":"error","error":{"type":"overloaded_error","message":"bye"}}',
    },
  ];

  it('parses fields, multi-line data, CR / LF / CRLF, and passes comments aside', () => {
    const comments: string[] = [];
    const parser = new SseParser({ onComment: (text) => comments.push(text) });
    assert.deepEqual(parser.push(stream), expected);
    assert.deepEqual(comments, ['ping', 'ping']);
  });

  it('gives the same frames however the bytes are split into chunks', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const parser = new SseParser();
          const frames: SseFrame[] = [];
          for (let index = 1; index < points.length; index++) {
            frames.push(...parser.push(stream.slice(points[index - 1], points[index])));
          }
          assert.deepEqual(frames, expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('needs action', () => {
  const idle = (ids: string[], thread?: string) => ({
    type: thread ? 'session.thread_status_idle' : 'session.status_idle',
    ...(thread ? { session_thread_id: thread } : {}),
    stop_reason: ids.length ? { type: 'requires_action', event_ids: ids } : { type: 'end_turn' },
  });
  it('is an idle with requires_action whose tool uses are not all answered since', () => {
    assert.equal(awaitsAction([idle(['sevt_1'])]), true);
    assert.equal(
      awaitsAction([idle(['sevt_1']), { type: 'user.tool_confirmation', tool_use_id: 'sevt_1' }]),
      false,
    );
    assert.equal(awaitsAction([idle(['sevt_1']), { type: 'session.status_running' }, idle([])]), false);
    assert.equal(awaitsAction([idle([]), idle(['sevt_2'], 'sthr_w')]), true, 'a worker thread waiting');
    assert.equal(awaitsAction([]), false);
    assert.equal(displayStatus('idle', true), 'needs action');
    assert.equal(displayStatus('running', true), 'running');
    assert.equal(displayStatus('idle', false), 'idle');
  });
});

describe('display helpers', () => {
  it('formats usage, cost, sizes and content', () => {
    // list_cost.amount is whole cents (the SDK's BetaMonetaryAmount).
    assert.equal(formatCost({ amount: '2', currency: 'USD' }), '$0.02');
    assert.equal(formatCost({ amount: '70', currency: 'USD' }), '$0.70');
    assert.equal(formatCost({ amount: '123456', currency: 'USD' }), '$1,234.56');
    assert.equal(formatCost({ amount: '0', currency: 'USD' }), '$0.00');
    assert.equal(formatCost({ amount: '0', currency: 'USD' }, { used: true }), '< $0.01');
    assert.equal(formatCost({ amount: '0.5', currency: 'USD' }), '', 'not whole cents: not guessed at');
    assert.equal(formatCost(null), '');
    // The cost report's exact decimal dollars keep their sub-cent digits.
    assert.equal(formatUsd('0.705'), '$0.705');
    assert.equal(formatUsd('0.000123'), '$0.000123');
    assert.equal(formatUsd('0.0012345678'), '$0.001234');
    assert.equal(formatUsd('12'), '$12.00');
    assert.equal(formatUsd('1234.5'), '$1,234.50');
    assert.equal(formatUsd(null), 'unpriced');
    assert.equal(formatDuration('2026-05-01T10:00:00Z', '2026-05-01T10:00:00.850Z'), '850 ms');
    assert.equal(formatDuration('2026-05-01T10:00:00Z', '2026-05-01T10:00:01.234Z'), '1.2 s');
    assert.equal(formatDuration('2026-05-01T10:00:00Z', '2026-05-01T10:02:03Z'), '2 min 3 s');
    assert.equal(formatDuration(undefined, '2026-05-01T10:00:00Z'), '');
    assert.equal(
      formatUsage({ input_tokens: 1000, cache_read_input_tokens: 200, output_tokens: 34 }),
      'in 1,200 / out 34 tokens',
    );
    assert.equal(
      formatUsage({
        input_tokens: 10,
        output_tokens: 1,
        cache_creation: { ephemeral_5m_input_tokens: 5, ephemeral_1h_input_tokens: 2 },
      }),
      'in 17 / out 1 tokens',
    );
    assert.equal(formatUsage({}), '');
    assert.equal(formatBytes(2048), '2.0 kB');
    assert.equal(
      contentText([
        { type: 'text', text: 'a' },
        { type: 'image', source: {} },
      ]),
      'a\n[image]',
    );
    assert.equal(
      queryString({ limit: 2, page: undefined, statuses: ['idle', 'running'] }),
      '?limit=2&statuses=idle&statuses=running',
    );
    assert.equal(filenameOf(`attachment; filename="a_b.txt"; filename*=UTF-8''a%20%C3%BC.txt`), 'a ü.txt');
    assert.equal(filenameOf(null, 'file_1'), 'file_1');
  });

  it('finds the tool uses waiting for confirmation, per thread, until answered', () => {
    const use = (id: string, thread?: string) => ({
      type: 'agent.tool_use',
      id,
      name: 'bash',
      input: {},
      evaluated_permission: 'ask',
      ...(thread ? { session_thread_id: thread } : {}),
    });
    const idle = (ids: string[], thread?: string) => ({
      type: thread ? 'session.thread_status_idle' : 'session.status_idle',
      id: `idle-${ids.join()}`,
      stop_reason: { type: 'requires_action', event_ids: ids },
      ...(thread ? { session_thread_id: thread } : {}),
    });
    const events = [use('a'), use('b'), idle(['a', 'b']), use('c', 'sthr_1'), idle(['c'], 'sthr_1')];
    assert.deepEqual(
      pendingConfirmations(events).map((event) => event.id),
      ['a', 'b', 'c'],
    );
    const answered = [
      ...events,
      { type: 'user.tool_confirmation', tool_use_id: 'b', result: 'deny' },
      { type: 'session.status_running' },
      idle(['a']),
    ];
    assert.deepEqual(
      pendingConfirmations(answered).map((event) => event.id),
      ['a', 'c'],
    );
    const done = [
      ...answered,
      { type: 'session.status_running' },
      { type: 'session.status_idle', stop_reason: { type: 'end_turn' } },
    ];
    assert.deepEqual(
      pendingConfirmations(done).map((event) => event.id),
      ['c'],
    );
  });
});
