import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createSession,
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';

describe('context compaction', () => {
  let fixture: HarnessFixture;
  before(async () => {
    // A tiny window, so a few long turns fill it.
    fixture = await startHarnessFixture('sqlite', [], { contextWindowTokens: 1500 });
  });
  after(async () => fixture.close());

  it('summarises history near the window, appends agent.thread_context_compacted, and continues from the summary', async () => {
    const { client, model } = fixture;
    const { session } = await createSession(client);
    const stream = await openEventReader(client, session.id);
    const long = 'x'.repeat(2500);
    model.push([{ match: 'first', content: [{ type: 'text', text: `Noted. ${long}` }] }]);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'first request' }] }],
    });
    await stream.until(isIdle);

    model.push([
      {
        match: 'Your context window is nearly full',
        content: [{ type: 'text', text: 'SUMMARY: user asked first, then second.' }],
      },
      { match: 'SUMMARY', content: [{ type: 'text', text: 'Continuing after compaction.' }] },
    ]);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'second request' }] }],
    });
    const events = await stream.until(isIdle);
    const types = events.map((event) => event.type);
    const marker = types.indexOf('agent.thread_context_compacted');
    assert.ok(marker >= 0, `no compaction in ${types.join(', ')}`);
    assert.equal(types[marker + 1], 'system.message');
    const reply = events.find((event) => event.type === 'agent.message');
    assert.equal(reply?.content[0]?.text, 'Continuing after compaction.');
    // The call after compaction carried the summary, not the long history.
    const last = JSON.stringify(model.requests().at(-1)?.body);
    assert.match(last, /SUMMARY: user asked first/);
    assert.doesNotMatch(last, /xxxxxxxxxx/);
    stream.close();
  });
});
