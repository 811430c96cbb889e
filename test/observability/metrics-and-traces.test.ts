import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../src/config/config.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { createPaddock, type Paddock } from '../../src/server.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { createSession, isIdle, openEventReader } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY } from '../support/server.js';

/** One metric sample's value from the Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const braces = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    const present = braces.split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

const parentOf = (span: ReadableSpan) =>
  (span as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId;

for (const dialect of DIALECTS) {
  describe(`metrics and traces of a turn (${dialect})`, () => {
    let database: TestDatabase;
    let model: ScriptedModelServer;
    let paddock: Paddock;
    let url: string;
    let client: Anthropic;
    const spans = new InMemorySpanExporter();

    before(async () => {
      model = await startScriptedModelServer({ turns: [] });
      database = await createTestDatabase(dialect);
      const config = loadConfig(
        {},
        {
          port: 0,
          host: '127.0.0.1',
          dataDir: database.dataDir,
          adminKey: TEST_ADMIN_KEY,
          anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' },
          sandboxDriver: 'process',
          databaseUrl: dialect === 'postgres' ? database.url : undefined,
        },
      );
      paddock = await createPaddock({ config, store: await database.open(), spanExporter: spans });
      url = await paddock.listen();
      client = new Anthropic({ baseURL: url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 });
    });
    after(async () => {
      await paddock.close();
      await database.drop();
      await model.close();
    });

    it('counts the turn, its model requests, tokens, tool call and sandbox start, and traces them under one root', async () => {
      const { session } = await createSession(client);
      model.push([
        {
          content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo traced' } }],
          stop_reason: 'tool_use',
        },
        { content: [{ type: 'text', text: 'Done.' }] },
      ]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'run it' }] }],
      });
      await stream.until(isIdle);

      const unauthenticated = await fetch(`${url}/metrics`);
      assert.equal(unauthenticated.status, 401);
      const scraped = await fetch(`${url}/metrics`, {
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      });
      assert.equal(scraped.status, 200);
      assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await scraped.text();
      const modelLabel = { model: 'claude-sonnet-4-6' };
      assert.equal(sample(text, 'paddock_turns_total', { stop_reason: 'end_turn' }), 1);
      assert.equal(sample(text, 'paddock_model_requests_total', { ...modelLabel, outcome: 'ok' }), 2);
      assert.ok((sample(text, 'paddock_model_tokens_total', { ...modelLabel, direction: 'input' }) ?? 0) > 0);
      assert.ok(
        (sample(text, 'paddock_model_tokens_total', { ...modelLabel, direction: 'output' }) ?? 0) > 0,
      );
      assert.equal(sample(text, 'paddock_model_request_duration_seconds_count', modelLabel), 2);
      assert.equal(
        sample(text, 'paddock_tool_calls_total', { tool: 'bash', kind: 'builtin', outcome: 'ok' }),
        1,
      );
      assert.equal(
        sample(text, 'paddock_tool_call_duration_seconds_count', { tool: 'bash', kind: 'builtin' }),
        1,
      );
      assert.equal(sample(text, 'paddock_sandbox_starts_total', { outcome: 'ok' }), 1);
      assert.equal(sample(text, 'paddock_sandbox_start_duration_seconds_count', {}), 1);
      assert.ok((sample(text, 'paddock_session_leases_total', { event: 'taken' }) ?? 0) >= 1);
      assert.equal(sample(text, 'paddock_sessions', { status: 'idle' }), 1);
      const route = '/v1/sessions/:session_id/events';
      assert.equal(sample(text, 'paddock_http_requests_total', { method: 'POST', route, status: '200' }), 1);

      // The root span is emitted by the node that ends the turn, just after the idle event.
      let finished = spans.getFinishedSpans();
      while (!finished.some((span) => span.name.startsWith('invoke_agent'))) {
        await delay(20);
        finished = spans.getFinishedSpans();
      }
      const root = finished.find((span) => span.name === 'invoke_agent Python Developer');
      assert.ok(root, finished.map((span) => span.name).join(', '));
      assert.equal(parentOf(root), undefined);
      const traceId = root.spanContext().traceId;
      const chats = finished.filter((span) => span.name === 'chat claude-sonnet-4-6');
      assert.equal(chats.length, 2);
      for (const chat of chats) {
        assert.equal(chat.spanContext().traceId, traceId);
        assert.equal(parentOf(chat), root.spanContext().spanId);
        assert.equal(chat.attributes['gen_ai.operation.name'], 'chat');
        assert.equal(chat.attributes['gen_ai.request.model'], 'claude-sonnet-4-6');
        assert.ok(Number(chat.attributes['gen_ai.usage.input_tokens']) > 0);
        assert.ok(Number(chat.attributes['gen_ai.usage.output_tokens']) > 0);
      }
      const tool = finished.find((span) => span.name === 'execute_tool bash');
      assert.ok(tool);
      assert.equal(tool.spanContext().traceId, traceId);
      assert.equal(parentOf(tool), root.spanContext().spanId);
      assert.equal(tool.attributes['gen_ai.operation.name'], 'execute_tool');
      assert.equal(tool.attributes['gen_ai.tool.name'], 'bash');
      // The tool ran between the two model requests, inside the turn's time.
      const [first, second] = [...chats].sort(
        (a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1],
      );
      assert.ok(first && second);
      assert.ok(root.startTime[0] <= first.startTime[0]);
    });
  });
}
