import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FoldCheckpoints } from '../../src/core/harness/fold-checkpoints.js';
import { createHarnessLog } from '../../src/core/harness/session-log-adapters.js';
import type { EventLog } from '../../src/core/sessions/event-log.js';
import { DIALECTS } from '../support/databases.js';
import {
  createSession,
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { holdLease, runLoopOnce } from '../support/run-loop.js';
import { startTestServer, type TestServer } from '../support/server.js';

const message = (text: string) => ({
  type: 'user.message' as const,
  content: [{ type: 'text' as const, text }],
});

/** The node's EventLog, counting the events each read fetches from the database. */
function counting(events: EventLog) {
  const counter = { fetched: 0, log: Object.create(events) as EventLog };
  counter.log.list = async (sessionId, query) => {
    const page = await events.list(sessionId, query);
    counter.fetched += page.length;
    return page;
  };
  return counter;
}

for (const dialect of DIALECTS) {
  describe(`the harness log cache across wakes (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      // Nothing drives sessions: the test reads the log as a wake would.
      server = await startTestServer(dialect, { harness: false });
    });
    after(async () => server.close());

    it('a later wake reads only what was appended since, whoever appended it', async () => {
      const { client, paddock } = server;
      const { session } = await createSession(client);
      await client.beta.sessions.events.send(session.id, { events: [message('one'), message('two')] });
      const counter = counting(paddock.context.events);
      const log = createHarnessLog(counter.log, 'node-a');
      const first = await log.read(session.id);
      assert.equal(counter.fetched, first.length);
      log.forget?.(session.id); // the run ends; the cache stays

      // Another node (here: the API) appends meanwhile; the cache is only where reading starts.
      await client.beta.sessions.events.send(session.id, { events: [message('three')] });
      counter.fetched = 0;
      const second = await log.read(session.id);
      assert.equal(counter.fetched, second.length - first.length, 'only the new events were fetched');
      const truth = await createHarnessLog(paddock.context.events, 'fresh').read(session.id);
      assert.deepEqual(second, truth, 'the cached log equals a fresh read of the log');
    });

    it('a wake of an archived session drops its checkpoint and its cached log', async () => {
      const { client, paddock } = server;
      const { session } = await createSession(client);
      await client.beta.sessions.events.send(session.id, { events: [message('one')] });
      await holdLease(server, session.id, 'node-a');
      const counter = counting(paddock.context.events);
      const log = createHarnessLog(counter.log, 'node-a');
      const folds = new FoldCheckpoints();
      const run = () =>
        runLoopOnce({
          server,
          sessionId: session.id,
          node: 'node-a',
          log,
          folds,
          turns: [{ content: [{ type: 'text', text: 'hi' }] }],
        });
      assert.equal((await run()).length, 1);
      assert.equal(folds.size, 1, 'the run left its checkpoint');
      await client.beta.sessions.archive(session.id);
      assert.equal((await run()).length, 0);
      assert.equal(folds.size, 0, 'the archived session has no checkpoint');
      counter.fetched = 0;
      const entries = await log.read(session.id);
      assert.equal(counter.fetched, entries.length, 'nor a cached log: it is read whole');
    });

    it('past the retention bound a session is dropped and read whole again', async () => {
      const { client, paddock } = server;
      const { session } = await createSession(client);
      await client.beta.sessions.events.send(session.id, { events: [message('one')] });
      const counter = counting(paddock.context.events);
      const log = createHarnessLog(counter.log, 'node-a', 0);
      const first = await log.read(session.id);
      log.forget?.(session.id);
      counter.fetched = 0;
      assert.deepEqual(await log.read(session.id), first);
      assert.equal(counter.fetched, first.length);
    });
  });
}

const usage = {
  input_tokens: 1,
  output_tokens: 1,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

for (const dialect of DIALECTS) {
  describe(`fold checkpoints across wakes and nodes (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    it('a wake after another node ran a turn folds that turn and the input after it', async () => {
      const { client, model, server } = fixture;
      const events = server.paddock.context.events;
      const { session } = await createSession(client);
      model.push([{ content: [{ type: 'text', text: 'first answer' }] }]);
      const first = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, { events: [message('one')] });
      await first.until(isIdle);
      first.close();
      // This node's checkpoint now stands at that idle. Another node (here: straight to the
      // store, with no signal to this node) answers a message and then takes one more.
      await events.append(session.id, [message('two'), { type: 'session.status_running' }]);
      const [start] = await events.append(session.id, [{ type: 'span.model_request_start' }]);
      await events.append(session.id, [
        { type: 'agent.message', content: [{ type: 'text', text: 'answered elsewhere' }] },
        {
          type: 'span.model_request_end',
          model_request_start_id: start?.doc.id ?? '',
          is_error: false,
          model_usage: usage,
        },
        { type: 'session.status_idle', stop_reason: { type: 'end_turn' } },
        message('three'),
      ]);
      model.push([{ content: [{ type: 'text', text: 'third answer' }] }]);
      const second = await openEventReader(client, session.id);
      server.paddock.context.runner.notify(session.id);
      const seen = await second.until(
        (event) => event.type === 'agent.message' && event.content?.[0]?.text === 'third answer',
        60_000,
      );
      await second.until(isIdle, 60_000);
      second.close();
      assert.ok(seen.length > 0);
      // One request for 'three' only: 'two' was consumed by the other node's request.
      assert.equal(model.requests().length, 2);
      const body = model.requests().at(-1)?.body as {
        messages: Array<{ role: string; content: Array<{ text: string }> }>;
      };
      assert.deepEqual(
        body.messages.map((entry) => `${entry.role}: ${entry.content.map((block) => block.text).join(' ')}`),
        ['user: one', 'assistant: first answer', 'user: two', 'assistant: answered elsewhere', 'user: three'],
      );
    });
  });
}
