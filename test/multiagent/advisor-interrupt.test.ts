import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../support/databases.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  type StreamEvent,
  startHarnessFixture,
} from '../support/harness-fixture.js';

for (const dialect of DIALECTS) {
  describe(`an interrupted advisor consultation (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    it('closes its thread and its request, and the tool call gets an interrupted result', async () => {
      const { client, model } = fixture;
      const lead = await client.beta.agents.create({
        name: 'Asker',
        model: 'claude-sonnet-4-6',
        multiagent: {
          type: 'multiagent_20261001',
          advisor: { type: 'enabled', model: 'claude-opus-4-6' },
          subagents: { type: 'disabled' },
        },
      });
      const environment = await client.beta.environments.create({ name: `advisor-stop-${dialect}` });
      const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
      model.push([
        // Held until the interrupt hangs it up (nothing ever sends the awaited text), so the
        // interrupt lands mid-request however slowly it is delivered.
        {
          match: 'The agent asks: Slow question',
          content: [{ type: 'text', text: 'A long and careful answer that never finishes.' }],
          wait_for: 'NOTHING-SENDS-THIS',
        },
        {
          match: 'Ask slowly',
          content: [{ type: 'tool_use', name: 'advisor', input: { question: 'Slow question' } }],
        },
      ]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Ask slowly' }] }],
      });
      await stream.until((event) => event.type === 'session.thread_created', 30_000);
      const deadline = Date.now() + 30_000;
      while (!model.requests().some((request) => JSON.stringify(request.body).includes('Slow question'))) {
        if (Date.now() > deadline) throw new Error('the consultation never reached the model');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
      const rest: StreamEvent[] = await stream.until(isIdle, 30_000);
      stream.close();
      assert.ok(rest.length > 0);

      const events: StreamEvent[] = [];
      for await (const event of client.beta.sessions.events.list(session.id))
        events.push(event as StreamEvent);
      const use = events.find((event) => event.type === 'agent.tool_use' && event.name === 'advisor');
      const result = events.find(
        (event) => event.type === 'agent.tool_result' && event.tool_use_id === use?.id,
      );
      assert.equal(result?.is_error, true);
      const threads = (await client.beta.sessions.threads.list(session.id)).data;
      const advisor = threads.find((thread) => thread.parent_thread_id !== null);
      assert.equal(advisor?.status, 'idle', 'the consultation thread does not stay running');
      const own: StreamEvent[] = [];
      for await (const event of client.beta.sessions.threads.events.list(advisor?.id ?? '', {
        session_id: session.id,
      }))
        own.push(event as StreamEvent);
      const ends = own.filter((event) => event.type === 'span.model_request_end');
      assert.equal(ends.length, 1);
      assert.equal(ends[0]?.is_error, true);
      assert.ok(!own.some((event) => event.type === 'agent.message'), 'no half answer');
      assert.equal(own.at(-1)?.type, 'session.thread_status_idle');
    });
  });
}
