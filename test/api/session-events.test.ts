import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { SessionRunner } from '../../src/core/ports/session-runner.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { RawSse } from '../support/sse.js';

const text = (value: string) => ({
  type: 'user.message' as const,
  content: [{ type: 'text' as const, text: value }],
});

for (const dialect of DIALECTS) {
  describe(`session events over the SDK (${dialect})`, () => {
    let server: TestServer;
    let agentId: string;
    let environmentId: string;
    const calls: string[] = [];
    const newSession = async () =>
      (await server.client.beta.sessions.create({ agent: agentId, environment_id: environmentId })).id;

    before(async () => {
      server = await startTestServer(dialect, { sseHeartbeatMs: 100 });
      const recorder: SessionRunner = {
        notify: (id) => calls.push(`notify:${id}`),
        interrupt: (id, thread) => calls.push(`interrupt:${id}:${thread ?? ''}`),
      };
      server.paddock.context.runner = recorder;
      agentId = (await server.client.beta.agents.create({ name: 'A', model: 'claude-sonnet-4-6' })).id;
      environmentId = (await server.client.beta.environments.create({ name: `events-${dialect}` })).id;
    });
    after(async () => server.close());

    it('stores sent events, echoes them with ids, pages and filters them, and notifies the runner', async () => {
      const id = await newSession();
      const sent = await server.client.beta.sessions.events.send(id, {
        events: [text('one'), text('two'), { type: 'user.interrupt' }],
      });
      const echoed = sent.data ?? [];
      assert.equal(echoed.length, 3);
      for (const event of echoed) {
        assert.match(event.id, /^sevt_/);
        assert.ok(event.processed_at);
      }
      assert.ok(calls.includes(`notify:${id}`));
      assert.ok(calls.includes(`interrupt:${id}:`));
      const listed = [];
      for await (const event of server.client.beta.sessions.events.list(id, { limit: 1 })) listed.push(event);
      assert.deepEqual(
        listed.map((e) => e.id),
        echoed.map((e) => e.id),
      );
      const desc = await server.client.beta.sessions.events.list(id, { order: 'desc', limit: 2 });
      assert.deepEqual(
        desc.data.map((e) => e.id),
        [echoed[2]?.id, echoed[1]?.id],
      );
      const onlyInterrupts = await server.client.beta.sessions.events.list(id, { types: ['user.interrupt'] });
      assert.deepEqual(
        onlyInterrupts.data.map((e) => e.type),
        ['user.interrupt'],
      );
      const future = await server.client.beta.sessions.events.list(id, {
        'created_at[gt]': '2999-01-01T00:00:00Z',
      });
      assert.equal(future.data.length, 0);
      assert.equal(future.next_page, null);
    });

    it('rejects malformed events naming the field', async () => {
      const id = await newSession();
      const expectBadRequest = async (events: unknown[], pattern: RegExp) =>
        assert.rejects(
          // @ts-expect-error deliberately malformed
          server.client.beta.sessions.events.send(id, { events }),
          (error: unknown) => error instanceof Anthropic.BadRequestError && pattern.test(error.message),
        );
      await expectBadRequest(
        [{ type: 'user.message', content: [{ type: 'text' }] }],
        /events\[0\]\.content\[0\]\.text/,
      );
      await expectBadRequest([{ type: 'agent.message', content: [] }], /events\[0\]/);
      await expectBadRequest(
        [{ type: 'user.tool_confirmation', tool_use_id: 'sevt_nope', result: 'allow' }],
        /events\[0\]\.tool_use_id/,
      );
      await expectBadRequest(
        [{ type: 'user.custom_tool_result', custom_tool_use_id: 'sevt_nope' }],
        /events\[0\]\.custom_tool_use_id/,
      );
      await expectBadRequest(
        [
          { type: 'system.message', content: [{ type: 'text', text: 'x' }] },
          { type: 'user.message', content: [{ type: 'text', text: 'y' }] },
        ],
        /system\.message/,
      );
      await expectBadRequest([{ type: 'user.tool_result', tool_use_id: 'sevt_nope' }], /self_hosted/);
      await assert.rejects(
        server.client.beta.sessions.events.send('sesn_missing', { events: [text('x')] }),
        Anthropic.NotFoundError,
      );
    });

    it('accepts answers that reference the right agent events', async () => {
      const id = await newSession();
      const log = server.paddock.context.events;
      const [toolUse, customUse] = await log.append(id, [
        { type: 'agent.tool_use', name: 'bash', input: { command: 'ls' }, evaluated_permission: 'ask' },
        { type: 'agent.custom_tool_use', name: 'lookup', input: {} },
      ]);
      await assert.rejects(
        server.client.beta.sessions.events.send(id, {
          events: [
            {
              type: 'user.tool_confirmation',
              tool_use_id: toolUse?.id ?? '',
              result: 'allow',
              deny_message: 'no',
            },
          ],
        }),
        (error: unknown) => error instanceof Anthropic.BadRequestError && /deny_message/.test(error.message),
      );
      const sent = await server.client.beta.sessions.events.send(id, {
        events: [
          {
            type: 'user.tool_confirmation',
            tool_use_id: toolUse?.id ?? '',
            result: 'deny',
            deny_message: 'no',
          },
          {
            type: 'user.custom_tool_result',
            custom_tool_use_id: customUse?.id ?? '',
            content: [{ type: 'text', text: '42' }],
          },
          { type: 'system.message', content: [{ type: 'text', text: 'note' }] },
        ],
      });
      assert.deepEqual(
        sent.data?.map((e) => e.type),
        ['user.tool_confirmation', 'user.custom_tool_result', 'system.message'],
      );
      await assert.rejects(
        server.client.beta.sessions.events.send(id, {
          events: [{ type: 'user.custom_tool_result', custom_tool_use_id: toolUse?.id ?? '' }],
        }),
        Anthropic.BadRequestError,
      );
    });

    it('streams echoed and agent events in order through the SDK, ending on delete', async () => {
      const id = await newSession();
      const stream = await server.client.beta.sessions.events.stream(id);
      const received: Array<{ id: string; type: string }> = [];
      const reading = (async () => {
        for await (const event of stream)
          received.push({ id: 'id' in event ? event.id : '', type: event.type });
      })();
      await server.client.beta.sessions.events.send(id, { events: [text('hello')] });
      await server.paddock.context.events.append(id, [
        { type: 'session.status_running' },
        { type: 'agent.message', content: [{ type: 'text', text: 'hi' }] },
        { type: 'session.status_idle', stop_reason: { type: 'end_turn' }, stop_details: null },
      ]);
      await server.client.beta.sessions.events.send(id, { events: [text('again')] });
      const listed = await server.client.beta.sessions.events.list(id);
      await server.client.beta.sessions.delete(id);
      await reading;
      assert.deepEqual(
        received.slice(0, -1),
        listed.data.map((e) => ({ id: e.id, type: e.type })),
      );
      assert.equal(received.at(-1)?.type, 'session.deleted');
    });

    it('resumes from Last-Event-ID without gaps or duplicates, with heartbeats', async () => {
      const id = await newSession();
      const sent =
        (await server.client.beta.sessions.events.send(id, { events: [text('1'), text('2'), text('3')] }))
          .data ?? [];
      const sse = await RawSse.open(`${server.url}/v1/sessions/${id}/events/stream`, {
        'last-event-id': sent[0]?.id ?? '',
      });
      assert.equal(sse.response.status, 200);
      assert.match(sse.response.headers.get('content-type') ?? '', /text\/event-stream/);
      assert.equal(sse.response.headers.get('cache-control'), 'no-cache');
      const replayed = [await sse.nextEvent(), await sse.nextEvent()];
      assert.deepEqual(
        replayed.map((f) => f?.id),
        [sent[1]?.id, sent[2]?.id],
      );
      assert.equal(replayed[0]?.event, 'user.message');
      const live = (await server.client.beta.sessions.events.send(id, { events: [text('4')] })).data ?? [];
      const next = await sse.nextEvent();
      assert.equal(next?.id, live[0]?.id);
      assert.deepEqual(JSON.parse(next?.data ?? '{}'), live[0]);
      let ping = await sse.next(2000);
      while (ping && !ping.comment) ping = await sse.next(2000);
      assert.ok(ping?.comment, 'a quiet stream gets `: ping` comments');
      await server.client.beta.sessions.archive(id);
      const last = await sse.nextEvent();
      assert.equal(last?.event, 'session.status_terminated');
      assert.equal(await sse.nextEvent(), undefined, 'the stream closes after terminated');
    });

    it('replays with ?last_event_id= and rejects unknown ids before streaming', async () => {
      const id = await newSession();
      const sent =
        (await server.client.beta.sessions.events.send(id, { events: [text('a'), text('b')] })).data ?? [];
      const sse = await RawSse.open(
        `${server.url}/v1/sessions/${id}/events/stream?last_event_id=${sent[0]?.id}`,
      );
      assert.equal((await sse.nextEvent())?.id, sent[1]?.id);
      sse.close();
      const bad = await fetch(`${server.url}/v1/sessions/${id}/events/stream`, {
        headers: { authorization: 'Bearer sk-paddock-test-admin', 'last-event-id': 'sevt_unknown' },
      });
      assert.equal(bad.status, 400);
      const missing = await fetch(`${server.url}/v1/sessions/sesn_missing/events/stream`, {
        headers: { authorization: 'Bearer sk-paddock-test-admin' },
      });
      assert.equal(missing.status, 404);
    });

    it('passes previews only to streams that opted in', async () => {
      const id = await newSession();
      const withDeltas = await RawSse.open(
        `${server.url}/v1/sessions/${id}/events/stream?event_deltas[]=agent.message`,
      );
      const plain = await RawSse.open(`${server.url}/v1/sessions/${id}/events/stream`);
      const log = server.paddock.context.events;
      log.publishPreview(id, { type: 'event_start', event: { type: 'agent.message', id: 'sevt_preview' } });
      log.publishPreview(id, {
        type: 'event_delta',
        event_id: 'sevt_preview',
        delta: { type: 'content_delta', content: { type: 'text', text: 'hel' } },
      });
      await log.append(id, [{ type: 'agent.message', content: [{ type: 'text', text: 'hello' }] }]);
      assert.equal((await withDeltas.nextEvent())?.event, 'event_start');
      assert.equal((await withDeltas.nextEvent())?.event, 'event_delta');
      assert.equal((await withDeltas.nextEvent())?.event, 'agent.message');
      assert.equal((await plain.nextEvent())?.event, 'agent.message');
      withDeltas.close();
      plain.close();
    });

    it('is idempotent per step key and publishes a replayed step only once', async () => {
      const id = await newSession();
      const log = server.paddock.context.events;
      const first = await log.append(id, [{ type: 'agent.thinking' }], { idempotencyKey: 'step-1' });
      const again = await log.append(id, [{ type: 'agent.thinking' }], { idempotencyKey: 'step-1' });
      assert.deepEqual(
        again.map((e) => e.id),
        first.map((e) => e.id),
      );
      const listed = await server.client.beta.sessions.events.list(id);
      assert.equal(listed.data.length, 1);
    });
  });
}
