import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sessionWithFullWindow, startTinyWindowFixture } from '../support/compaction-fixture.js';
import { type HarnessFixture, isIdle } from '../support/harness-fixture.js';

describe('context compaction', () => {
  let fixture: HarnessFixture;
  before(async () => {
    fixture = await startTinyWindowFixture();
  });
  after(async () => fixture.close());

  it('summarises history near the window, appends agent.thread_context_compacted, and continues from the summary', async () => {
    const { client, model } = fixture;
    const { session, stream } = await sessionWithFullWindow(fixture);

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
