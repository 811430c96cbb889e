import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sessionWithFullWindow, startTinyWindowFixture } from '../support/compaction-fixture.js';
import { type HarnessFixture, isIdle } from '../support/harness-fixture.js';

describe('compaction that cannot wedge a session', () => {
  let fixture: HarnessFixture;
  before(async () => {
    fixture = await startTinyWindowFixture();
  });
  after(async () => fixture.close());

  it('offers no tools for the summary, and falls back when the model answers it with a tool call', async () => {
    const { client, model } = fixture;
    const { session, stream } = await sessionWithFullWindow(fixture);

    model.push([
      // The model ignores the request and calls a tool instead of summarising.
      {
        match: 'Your context window is nearly full',
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'ls' } }],
      },
      { content: [{ type: 'text', text: 'Carrying on without a summary.' }] },
    ]);
    const before = model.requests().length;
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'second request' }] }],
    });
    const events = await stream.until(isIdle);
    const types = events.map((event) => event.type);
    assert.ok(types.includes('agent.thread_context_compacted'), `no compaction in ${types.join(', ')}`);
    assert.ok(!types.includes('agent.tool_use'), 'the summary’s tool call is never run');
    const idle = events.findLast((event) => event.type === 'session.status_idle');
    assert.equal(idle?.stop_reason?.type, 'end_turn');
    const reply = events.find((event) => event.type === 'agent.message');
    assert.equal(reply?.content[0]?.text, 'Carrying on without a summary.');

    const [summaryRequest, nextRequest] = model.requests().slice(before) as Array<{
      body: Record<string, unknown>;
    }>;
    // The summary request offers no tools and carries history as text (no tool blocks to declare).
    const tools = summaryRequest?.body['tools'] as unknown[] | undefined;
    assert.ok(!tools || tools.length === 0, 'no tools on the summary request');
    assert.match(JSON.stringify(summaryRequest?.body), /Your context window is nearly full/);
    // The next call starts from the fallback (the latest part of the history), not the whole of it.
    const next = JSON.stringify(nextRequest?.body);
    assert.match(next, /could not be summarised/);
    assert.match(next, /second request/);
    const runs = (text: string) => text.split('x').length - 1;
    assert.ok(
      runs(next) < runs(JSON.stringify(summaryRequest?.body)) / 2,
      'the next call carries less history',
    );

    // The session is not wedged: a later turn runs normally.
    model.push([{ match: 'third', content: [{ type: 'text', text: 'Third answered.' }] }]);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'third request' }] }],
    });
    const later = await stream.until(isIdle);
    const answer = later.filter((event) => event.type === 'agent.message').at(-1);
    assert.ok(answer, 'the later turn answered');
    stream.close();
  });
});
