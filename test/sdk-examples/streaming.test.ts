import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { createSession, type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';

/** Waits on the session's own status (a condition, not a clock). */
async function untilIdle(client: Anthropic, sessionId: string): Promise<void> {
  while ((await client.beta.sessions.retrieve(sessionId)).status !== 'idle') await delay(20);
}

/**
 * The SDK's streaming example sends the message first and opens the stream second. With the
 * scripted (instant) model the turn is over before the stream opens: the stream must still carry it.
 */
for (const dialect of DIALECTS) {
  describe(`SDK example: send, then stream (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    it('a stream opened after a finished turn replays that turn, once; a stream opened first sees only new events', async () => {
      const { client } = fixture;
      const { session } = await createSession(client, { tools: [] });
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'hello' }] }],
      });
      await untilIdle(client, session.id);

      // As the example does it: open the stream, print text, stop at idle.
      const seen: string[] = [];
      let reply = '';
      const stream = await client.beta.sessions.events.stream(session.id);
      for await (const event of stream) {
        seen.push(event.type);
        if (event.type === 'agent.message')
          for (const block of event.content) if (block.type === 'text') reply += block.text;
        if (event.type === 'session.status_idle') break;
      }
      assert.equal(seen[0], 'user.message');
      assert.match(reply, /scripted: hello/);

      // The turn was carried: the next stream (opened first, as the docs advise) starts live.
      const second = await client.beta.sessions.events.stream(session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'again' }] }],
      });
      const secondSeen: string[] = [];
      let secondReply = '';
      for await (const event of second) {
        secondSeen.push(event.type);
        if (event.type === 'agent.message')
          for (const block of event.content) if (block.type === 'text') secondReply += block.text;
        if (event.type === 'session.status_idle') break;
      }
      assert.equal(secondSeen[0], 'user.message');
      assert.match(secondReply, /scripted: again/);
      const usageRuns = secondSeen.filter(
        (type, index) => type === 'session.usage' && secondSeen[index + 1] === 'session.usage',
      );
      assert.deepEqual(usageRuns, [], `no back-to-back session.usage: ${secondSeen.join(', ')}`);
    });
  });
}
