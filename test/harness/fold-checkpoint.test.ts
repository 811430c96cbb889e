import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHarnessLog } from '../../src/core/harness/session-log-adapters.js';
import type { EventLog } from '../../src/core/sessions/event-log.js';
import { DIALECTS } from '../support/databases.js';
import { createSession } from '../support/harness-fixture.js';
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
