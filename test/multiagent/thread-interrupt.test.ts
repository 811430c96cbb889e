import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, type StreamEvent, startHarnessFixture } from '../support/harness-fixture.js';

/** Polls (the wait is not the assertion) until `check` holds. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function threadEvents(client: Anthropic, sessionId: string, threadId: string): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of client.beta.sessions.threads.events.list(threadId, { session_id: sessionId }))
    out.push(event as StreamEvent);
  return out;
}

const lastText = (body: unknown) => JSON.stringify((body as { messages: unknown[] }).messages.at(-1));

for (const dialect of DIALECTS) {
  describe(`a per-thread interrupt of a spawned thread (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    it('user.interrupt with the thread id stops that thread only; its sibling and the primary carry on', async () => {
      const { client, model } = fixture;
      const lead = await client.beta.agents.create({
        name: 'Lead',
        model: 'claude-sonnet-4-6',
        multiagent: { type: 'multiagent_20261001' },
      });
      const environment = await client.beta.environments.create({ name: `thread-stop-${dialect}` });
      const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
      model.push([
        {
          match: 'Start both',
          content: [
            {
              type: 'tool_use',
              name: 'spawn_agent',
              input: { inline_agent: { name: 'Stuck', system: 'You get stuck.' }, message: 'STUCK-TASK' },
            },
            {
              type: 'tool_use',
              name: 'spawn_agent',
              input: { inline_agent: { name: 'Steady', system: 'You carry on.' }, message: 'STEADY-TASK' },
            },
          ],
        },
        // Held until its connection is cut (nothing sends the awaited text): only the interrupt ends it.
        {
          match: 'STUCK-TASK',
          content: [{ type: 'text', text: 'STUCK-NEVER' }],
          wait_for: 'NOTHING-SENDS-THIS',
        },
        // Held until the test releases it, so it is certainly in flight when its sibling is interrupted.
        {
          match: 'STEADY-TASK',
          content: [{ type: 'text', text: 'STEADY-REPORT' }],
          wait_for: 'RELEASE-STEADY',
        },
        { match: 'Spawned', content: [{ type: 'text', text: 'Waiting for both.' }] },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Start both' }] }],
      });
      await until('both threads to call the model', () => {
        const texts = model.requests().map((request) => lastText(request.body));
        return (
          texts.some((text) => text.includes('STUCK-TASK')) &&
          texts.some((text) => text.includes('STEADY-TASK'))
        );
      });
      const children = (await client.beta.sessions.threads.list(session.id)).data.filter(
        (thread) => thread.parent_thread_id !== null,
      );
      const byName = new Map(children.map((thread) => [(thread.agent as { name: string }).name, thread]));
      const stuck = byName.get('Stuck');
      const steady = byName.get('Steady');
      assert.ok(stuck && steady);

      // The SDK declares session_thread_id on user.interrupt: only the named thread is interrupted.
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.interrupt', session_thread_id: stuck.id }],
      });
      await until('the interrupted thread to idle', async () => {
        const fresh = await client.beta.sessions.threads.retrieve(stuck.id, { session_id: session.id });
        return fresh.status === 'idle';
      });
      const stuckEvents = await threadEvents(client, session.id, stuck.id);
      assert.ok(
        stuckEvents.some((event) => event.type === 'user.interrupt'),
        'the interrupt is on its stream',
      );
      const ends = stuckEvents.filter((event) => event.type === 'span.model_request_end');
      assert.equal(ends.length, 1);
      assert.equal(ends[0]?.is_error, true, 'its model request was cut');
      assert.ok(!JSON.stringify(stuckEvents).includes('STUCK-NEVER'), 'no half answer');
      const statuses = stuckEvents.filter((event) => event.type.startsWith('session.thread_status_'));
      assert.equal(statuses.at(-1)?.type, 'session.thread_status_idle', 'it does not stay running');
      // The sibling was not interrupted: its request is still held, the thread still running.
      const steadyNow = await client.beta.sessions.threads.retrieve(steady.id, { session_id: session.id });
      assert.equal(steadyNow.status, 'running');
      assert.ok(
        !(await threadEvents(client, session.id, steady.id)).some((event) => event.type === 'user.interrupt'),
      );

      // Release the sibling's held reply (a request carrying the awaited text; it gets the echo).
      const release = await fetch(`${model.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'm',
          max_tokens: 8,
          messages: [{ role: 'user', content: 'RELEASE-STEADY' }],
        }),
      });
      assert.equal(release.status, 200);
      const events = await until('the sibling to report and the session to settle', async () => {
        const all: StreamEvent[] = [];
        for await (const event of client.beta.sessions.events.list(session.id))
          all.push(event as StreamEvent);
        const reported = all.some(
          (event) =>
            event.type === 'agent.thread_message_received' &&
            JSON.stringify(event.content).includes('STEADY-REPORT'),
        );
        const idle = (await client.beta.sessions.retrieve(session.id)).status === 'idle';
        return reported && idle ? all : undefined;
      });
      // The primary thread was never interrupted: no session-wide interrupt in its log.
      assert.ok(!events.some((event) => event.type === 'user.interrupt' && !event.session_thread_id));
      const steadyDone = await client.beta.sessions.threads.retrieve(steady.id, { session_id: session.id });
      assert.equal(steadyDone.status, 'idle');
    });
  });
}
