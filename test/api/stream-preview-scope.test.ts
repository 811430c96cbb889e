import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { RawSse } from '../support/sse.js';

// Previews name only an event id; a thread's harness tags its event_start so streams scope
// it like the committed event (thread-scope.ts), and the tag never reaches the wire.
for (const dialect of DIALECTS) {
  describe(`stream previews are scoped by thread (${dialect})`, () => {
    let server: TestServer;
    let agentId: string;
    let environmentId: string;

    before(async () => {
      server = await startTestServer(dialect, { sseHeartbeatMs: 100 });
      server.paddock.context.runner = { notify: () => {}, interrupt: () => {} };
      agentId = (await server.client.beta.agents.create({ name: 'A', model: 'claude-sonnet-4-6' })).id;
      environmentId = (await server.client.beta.environments.create({ name: `previews-${dialect}` })).id;
    });
    after(async () => server.close());

    it('sends a child thread preview neither to the session stream nor to the primary thread stream', async () => {
      const id = (await server.client.beta.sessions.create({ agent: agentId, environment_id: environmentId }))
        .id;
      const primary = (await server.client.beta.sessions.threads.list(id)).data[0]?.id ?? '';
      const opts = 'event_deltas[]=agent.message';
      const sessionStream = await RawSse.open(`${server.url}/v1/sessions/${id}/events/stream?${opts}`);
      const threadStream = await RawSse.open(
        `${server.url}/v1/sessions/${id}/threads/${primary}/stream?${opts}`,
      );
      const log = server.paddock.context.events;
      const delta = (eventId: string, text: string) =>
        log.publishPreview(id, {
          type: 'event_delta',
          event_id: eventId,
          delta: { type: 'content_delta', content: { type: 'text', text } },
        });
      log.publishPreview(id, {
        type: 'event_start',
        event: { type: 'agent.message', id: 'sevt_child', session_thread_id: 'sthr_child' },
      });
      delta('sevt_child', 'not yours');
      log.publishPreview(id, { type: 'event_start', event: { type: 'agent.message', id: 'sevt_main' } });
      delta('sevt_main', 'yours');
      await log.append(id, [{ type: 'agent.message', content: [{ type: 'text', text: 'yours' }] }]);
      for (const stream of [sessionStream, threadStream]) {
        const start = await stream.nextEvent();
        assert.equal(start?.event, 'event_start');
        const started = JSON.parse(start?.data ?? '{}');
        assert.deepEqual(started.event, { type: 'agent.message', id: 'sevt_main' });
        const next = await stream.nextEvent();
        assert.equal(next?.event, 'event_delta');
        assert.equal(JSON.parse(next?.data ?? '{}').event_id, 'sevt_main');
        assert.equal((await stream.nextEvent())?.event, 'agent.message');
        stream.close();
      }
    });
  });
}
