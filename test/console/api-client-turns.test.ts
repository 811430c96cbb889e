import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingConfirmations } from '../../src/console/static/format.js';
import { createSession } from '../support/harness-fixture.js';
import { until } from '../support/webhook-receiver.js';
import { consoleSuite, follow, idleCount } from './api-client-fixture.js';

/** The console's API client steering turns: interrupts, tool confirmations, threads. */

describe('the console API client steering turns', () => {
  const suite = consoleSuite();

  it('interrupts a slow turn', async () => {
    const { fixture, client } = suite;
    const { session } = await createSession(fixture.client);
    // Idle without the slow reply's message: the interrupt ended the turn before the reply came.
    fixture.model.push([{ content: [{ type: 'text', text: 'too slow' }], delay_ms: 10_000 }]);
    const { collected, follower } = await follow(client, session.id);
    await client.sendMessage(session.id, 'take your time');
    await collected.until((event) => event.type === 'span.model_request_start');
    // The scripted server holds the request (its turn is taken) before the interrupt is sent.
    await until(
      'the model request to reach the scripted server',
      async () =>
        fixture.model.requests().some((request) => JSON.stringify(request.body).includes('take your time')),
      (arrived) => arrived,
    );
    const [interrupt] = await client.interrupt(session.id);
    assert.equal(interrupt?.type, 'user.interrupt');
    await collected.until((event) => event.type === 'session.status_idle');
    assert.ok(collected.events.some((event) => event.id === interrupt?.id));
    assert.ok(!collected.events.some((event) => event.type === 'agent.message'));
    assert.equal(await follower.stop(), 'stopped');
  });

  it('always_ask: the pending tool use is found from the events, then allowed', async () => {
    const { fixture, client } = suite;
    const agent = await client.createAgent({
      name: 'Asker',
      model: 'claude-sonnet-4-6',
      toolset: true,
      askBeforeTools: true,
    });
    assert.deepEqual(agent.tools[0].default_config.permission_policy, { type: 'always_ask' });
    const environment = await fixture.client.beta.environments.create({ name: 'ask-env' });
    const session = await client.createSession({ agentId: agent.id, environmentId: environment.id });
    fixture.model.push([
      {
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo console-allowed' } }],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    const { collected, follower } = await follow(client, session.id);
    await client.sendMessage(session.id, 'run it');
    await collected.until((event) => event.type === 'session.status_idle');
    const idle = collected.events.find((event) => event.type === 'session.status_idle');
    assert.equal(idle?.stop_reason.type, 'requires_action');
    const pending = pendingConfirmations(collected.events);
    assert.equal(pending.length, 1);
    assert.equal(pending[0]?.name, 'bash');
    assert.deepEqual(idle?.stop_reason.event_ids, [pending[0]?.id]);

    await client.confirmTool(session.id, pending[0]?.id, 'allow');
    await collected.until(
      (event) => idleCount(collected.events) === 2 && event.type === 'session.status_idle',
    );
    assert.deepEqual(pendingConfirmations(collected.events), []);
    const result = collected.events.find((event) => event.type === 'agent.tool_result');
    assert.equal(result?.tool_use_id, pending[0]?.id);
    assert.match(JSON.stringify(result?.content), /console-allowed/);
    await follower.stop();
  });

  it('lists threads and a thread’s events', async () => {
    const { fixture, client } = suite;
    const worker = await client.createAgent({ name: 'Worker', model: 'claude-sonnet-4-6', toolset: false });
    const lead = await fixture.client.beta.agents.create({
      name: 'Lead',
      model: 'claude-sonnet-4-6',
      system: 'Delegate.',
      // @ts-expect-error the guide's roster form
      agents: [{ agent_id: worker.id, name: 'Worker' }],
    });
    const environment = await fixture.client.beta.environments.create({ name: 'thread-env' });
    const session = await client.createSession({ agentId: lead.id, environmentId: environment.id });
    fixture.model.push([
      {
        match: 'Delegate this',
        content: [
          { type: 'tool_use', name: 'send_to_agent', input: { agent: 'Worker', message: 'WORK-ITEM' } },
        ],
        stop_reason: 'tool_use',
      },
      { match: 'WORK-ITEM', content: [{ type: 'text', text: 'worker finished' }] },
      { match: 'Sent to', content: [{ type: 'text', text: 'waiting for the worker' }] },
    ]);
    const { collected, follower } = await follow(client, session.id);
    await client.sendMessage(session.id, 'Delegate this');
    await collected.until((event) => event.type === 'agent.thread_message_received', 30_000);
    await collected.until((event) => event.type === 'session.status_idle', 30_000);
    await follower.stop();
    const threads = await client.listThreads(session.id);
    const child = threads.find((thread) => thread.parent_thread_id !== null);
    assert.ok(child, 'a child thread');
    const events = await client.listAllEvents(session.id, { threadId: child.id });
    assert.ok(events.length > 0);
    const reply = events.find((event) => event.type === 'agent.message');
    assert.match(JSON.stringify(reply?.content), /worker finished/);
    // The thread's own stream, resumed after its first event, replays the rest of them.
    const controller = new AbortController();
    const frames = await client.openStream(session.id, {
      threadId: child.id,
      lastEventId: events[0]?.id,
      signal: controller.signal,
    });
    const replayed: string[] = [];
    for await (const frame of frames) {
      replayed.push(JSON.parse(frame.data).id);
      if (replayed.length === events.length - 1) break;
    }
    controller.abort();
    assert.deepEqual(
      replayed,
      events.slice(1).map((event) => event.id),
    );
    // The primary timeline does not carry the worker's messages.
    const primary = await client.listAllEvents(session.id);
    assert.ok(!primary.some((event) => event.id === reply?.id));
  });
});
