import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import type { ModelMessage } from '../../src/core/ports/model-provider.js';
import { startScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import { providerSubjects } from './provider-subjects.js';
import { blocks, collect, end, expectProviderError, hello, request } from './provider-suite-helpers.js';

/** One conformance suite, run against every provider (STYLE.md: one shared suite per interface). */
const server = await startScriptedModelServer();
after(() => server.close());

for (const subject of providerSubjects(server)) {
  describe(`provider: ${subject.name}`, () => {
    beforeEach(() => subject.reset());

    test('plays a plain text turn', async () => {
      subject.push([{ content: [{ type: 'text', text: 'Hi! How can I help?' }] }]);
      const parts = await collect(subject.provider, request(hello));
      assert.equal(parts[0]?.type, 'message-start');
      assert.deepEqual(blocks(parts), [{ type: 'text', text: 'Hi! How can I help?' }]);
      assert.equal(end(parts).stopReason, 'end_turn');
    });

    test('streams text deltas that concatenate to the finished block', async () => {
      const text = 'The quick brown fox jumps over the lazy dog.';
      subject.push([{ content: [{ type: 'text', text }] }]);
      const parts = await collect(subject.provider, request(hello));
      const deltas = parts.flatMap((part) => (part.type === 'text-delta' ? [part] : []));
      assert.ok(deltas.length > 1, 'expected several deltas');
      assert.equal(deltas.map((delta) => delta.text).join(''), text);
      const blockEnd = parts.find((part) => part.type === 'block-end');
      assert.ok(
        blockEnd && parts.indexOf(blockEnd) > parts.indexOf(deltas.at(-1)!),
        'block-end after deltas',
      );
      assert.ok(deltas.every((delta) => delta.index === blockEnd.index));
    });

    test('reports two tool_use blocks with parsed inputs', async () => {
      subject.push([
        {
          content: [
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_use', name: 'read_file', input: { path: 'notes/a.txt' } },
            { type: 'tool_use', name: 'bash', input: { command: 'ls -la', options: { depth: [1, 2] } } },
          ],
        },
      ]);
      const parts = await collect(subject.provider, request(hello));
      const toolUses = blocks(parts).filter((block) => block.type === 'tool_use');
      assert.equal(toolUses.length, 2);
      assert.deepEqual(
        toolUses.map((block) => [block.name, block.input]),
        [
          ['read_file', { path: 'notes/a.txt' }],
          ['bash', { command: 'ls -la', options: { depth: [1, 2] } }],
        ],
      );
      assert.notEqual(toolUses[0]?.id, toolUses[1]?.id);
      const indexes = parts.flatMap((part) => (part.type === 'block-end' ? [part.index] : []));
      assert.deepEqual(indexes, [0, 1, 2]);
      assert.equal(end(parts).stopReason, 'tool_use');
    });

    test('sends tool results back in the upstream shape', async () => {
      subject.push([
        { content: [{ type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a.txt' } }] },
        { match: 'contents of a', content: [{ type: 'text', text: 'The file says: contents of a.' }] },
      ]);
      const first = await collect(subject.provider, request(hello));
      const conversation: ModelMessage[] = [
        ...hello,
        { role: 'assistant', content: blocks(first) },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [{ type: 'text', text: 'contents of a' }],
            },
          ],
        },
      ];
      const second = await collect(subject.provider, request(conversation));
      assert.deepEqual(blocks(second), [{ type: 'text', text: 'The file says: contents of a.' }]);

      const body = subject.bodies()[1];
      if (subject.wire === 'anthropic') {
        const messages = body?.messages as ModelMessage[];
        assert.deepEqual(
          messages.map((message) => message.role),
          ['user', 'assistant', 'user'],
        );
        assert.deepEqual(messages[1]?.content, [
          { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a.txt' } },
        ]);
        const { cache_control: _marker, ...toolResult } = (messages[2]?.content[0] ?? {}) as Record<
          string,
          unknown
        >;
        assert.deepEqual(toolResult, {
          type: 'tool_result',
          tool_use_id: 'toolu_1',
          content: [{ type: 'text', text: 'contents of a' }],
        });
      } else {
        assert.equal(body?.model, 'upstream-test-model');
        assert.deepEqual(body?.messages, [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'hello' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'toolu_1',
                type: 'function',
                function: { name: 'read_file', arguments: '{"path":"a.txt"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: 'contents of a' },
        ]);
        assert.deepEqual((body?.tools as unknown[] | undefined)?.[0], {
          type: 'function',
          function: {
            name: 'read_file',
            description: 'Read a file',
            parameters: { type: 'object', properties: { path: { type: 'string' } } },
          },
        });
        assert.equal(body?.stream, true);
        assert.deepEqual(body?.stream_options, { include_usage: true });
      }
    });

    test('reports usage: scripted numbers exactly, estimates otherwise', async () => {
      subject.push([
        {
          content: [{ type: 'text', text: 'ok' }],
          usage: { input_tokens: 120, output_tokens: 7, cache_read_input_tokens: 30 },
        },
        { content: [{ type: 'text', text: 'twelve chars' }] },
      ]);
      const scripted = end(await collect(subject.provider, request(hello))).usage;
      assert.equal(scripted.input_tokens, 120);
      assert.equal(scripted.output_tokens, 7);
      assert.equal(scripted.cache_read_input_tokens, 30);
      assert.equal(scripted.cache_creation_input_tokens, 0);
      const estimated = end(await collect(subject.provider, request(hello))).usage;
      assert.equal(estimated.output_tokens, 3);
      assert.ok(estimated.input_tokens > 0);
    });

    for (const [status, kind] of [
      [529, 'overloaded'],
      [429, 'rate_limited'],
      [500, 'request_failed'],
    ] as const) {
      test(`maps upstream ${status} to a retryable ${kind} error`, async () => {
        subject.push([{ error: { status } }]);
        const error = await expectProviderError(collect(subject.provider, request(hello)));
        assert.equal(error.status, status);
        assert.equal(error.retryable, true);
        assert.equal(error.kind, kind);
      });
    }

    test('maps upstream 400 to a final invalid_request error', async () => {
      subject.push([{ error: { status: 400, message: 'messages: too short' } }]);
      const error = await expectProviderError(collect(subject.provider, request(hello)));
      assert.equal(error.status, 400);
      assert.equal(error.retryable, false);
      assert.equal(error.kind, 'invalid_request');
      assert.match(error.message, /too short/);
    });

    test('stops promptly on abort and throws the signal reason', async () => {
      const words = Array.from({ length: 50 }, (_, index) => `word${index}`).join(' ');
      subject.push([{ content: [{ type: 'text', text: words }], delay_ms: 100 }]);
      const controller = new AbortController();
      const reason = new Error('interrupted by user');
      let abortedAt = 0;
      const error = await (async () => {
        for await (const part of subject.provider.stream(request(hello), controller.signal)) {
          if (part.type === 'text-delta' && abortedAt === 0) {
            abortedAt = performance.now();
            controller.abort(reason);
          }
        }
      })().then(
        () => assert.fail('expected the stream to throw'),
        (caught: unknown) => caught,
      );
      assert.equal(error, reason);
      assert.ok(performance.now() - abortedAt < 1000, 'stopped within a second');
    });

    if (subject.unreachable) {
      const unreachable = subject.unreachable;
      test('reports an unreachable upstream as retryable with no status', async () => {
        const error = await expectProviderError(collect(unreachable(), request(hello)));
        assert.equal(error.status, undefined);
        assert.equal(error.retryable, true);
        assert.equal(error.kind, 'request_failed');
      });
    }

    if (subject.wire === 'anthropic' && subject.overHttp) {
      test('marks prompt-cache breakpoints on system, tools and the last user block', async () => {
        subject.push([{ content: [{ type: 'text', text: 'cached' }] }]);
        await collect(subject.provider, request(hello));
        const body = subject.bodies()[0] as {
          system: Array<Record<string, unknown>>;
          tools: Array<Record<string, unknown>>;
          messages: ModelMessage[];
        };
        const ephemeral = { type: 'ephemeral' };
        assert.deepEqual(body.system.at(-1)?.cache_control, ephemeral);
        assert.deepEqual(body.tools.at(-1)?.cache_control, ephemeral);
        assert.equal(body.tools[0]?.cache_control, undefined);
        assert.deepEqual(
          (body.messages.at(-1)?.content.at(-1) as Record<string, unknown> | undefined)?.cache_control,
          ephemeral,
        );
        const markers = JSON.stringify(body).match(/cache_control/g) ?? [];
        assert.ok(markers.length <= 4);
      });

      test('passes through cache creation and server tool usage', async () => {
        const usage = {
          input_tokens: 10,
          output_tokens: 5,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 50,
          cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 30 },
          server_tool_use: { web_search_requests: 2, web_fetch_requests: 1 },
        };
        subject.push([{ content: [{ type: 'text', text: 'ok' }], usage }]);
        assert.deepEqual(end(await collect(subject.provider, request(hello))).usage, usage);
      });
    }
  });
}
