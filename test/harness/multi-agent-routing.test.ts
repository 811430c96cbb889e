import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';

describe('multi-agent routing (sqlite)', () => {
  let fixture: HarnessFixture;
  before(async () => {
    fixture = await startHarnessFixture('sqlite');
  });
  after(async () => fixture.close());

  async function team(
    workerTools: Parameters<HarnessFixture['client']['beta']['agents']['create']>[0]['tools'],
  ) {
    const { client } = fixture;
    const worker = await client.beta.agents.create({
      name: 'Deployer',
      model: 'claude-haiku-4-5',
      system: 'You deploy services.',
      tools: workerTools,
    });
    const lead = await client.beta.agents.create({
      name: 'Lead',
      model: 'claude-opus-4-6',
      system: 'You lead.',
      multiagent: { type: 'coordinator', agents: [worker.id] },
    });
    const environment = await client.beta.environments.create({
      name: `team-${Math.random().toString(36).slice(2)}`,
    });
    return client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
  }

  it("a worker's custom tool call is cross-posted, answered on the session endpoint, and routed back", async () => {
    const { client, model } = fixture;
    const session = await team([
      {
        type: 'custom',
        name: 'trigger_deploy',
        description: 'Trigger a deployment',
        input_schema: { type: 'object', properties: { service: { type: 'string' } } },
      },
    ]);
    model.push([
      {
        match: 'Ship it',
        content: [
          {
            type: 'tool_use',
            name: 'send_to_agent',
            input: { agent: 'Deployer', message: 'DEPLOY-TASK api' },
          },
        ],
      },
      {
        match: 'DEPLOY-TASK',
        content: [{ type: 'tool_use', name: 'trigger_deploy', input: { service: 'api' } }],
      },
      { match: 'Sent to', content: [{ type: 'text', text: 'Waiting.' }] },
      { match: 'deploy 7 started', content: [{ type: 'text', text: 'Deployed as 7.' }] },
      { match: 'Deployed as 7', content: [{ type: 'text', text: 'All shipped.' }] },
    ]);
    const stream = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'Ship it' }] }],
    });
    const first = await stream.until(isIdle, 20_000);
    const use = first.find((event) => event.type === 'agent.custom_tool_use');
    assert.ok(use?.session_thread_id, 'the worker call carries its thread id on the session stream');
    assert.deepEqual(first.at(-1)?.stop_reason, { type: 'requires_action', event_ids: [use.id] });

    const [echo] =
      (
        await client.beta.sessions.events.send(session.id, {
          events: [
            {
              type: 'user.custom_tool_result',
              custom_tool_use_id: String(use.id),
              content: [{ type: 'text', text: 'deploy 7 started' }],
            },
          ],
        })
      ).data ?? [];
    assert.equal((echo as { session_thread_id?: string }).session_thread_id, use.session_thread_id);
    const rest = await stream.until(isIdle, 20_000);
    assert.equal(rest.at(-1)?.stop_reason.type, 'end_turn');
    const reply = rest.find((event) => event.type === 'agent.thread_message_received');
    assert.match(JSON.stringify(reply?.content), /Deployed as 7/);
    const threads = await client.beta.sessions.threads.list(session.id);
    const worker = threads.data.find((thread) => thread.parent_thread_id !== null);
    assert.ok((worker?.usage?.input_tokens ?? 0) > 0, 'a worker thread reports its own usage');
    const primary = threads.data.find((thread) => thread.parent_thread_id === null);
    assert.ok(
      (primary?.usage?.input_tokens ?? 0) >= (worker?.usage?.input_tokens ?? 0),
      'the session sums its threads',
    );
    stream.close();
  });

  it('user.interrupt with a session_thread_id stops only that worker', async () => {
    const { client, model } = fixture;
    const session = await team([{ type: 'agent_toolset_20260401' }]);
    model.push([
      {
        match: 'Long job',
        content: [
          { type: 'tool_use', name: 'send_to_agent', input: { agent: 'Deployer', message: 'SLOW-TASK' } },
        ],
      },
      {
        match: 'SLOW-TASK',
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'sleep 20; echo never' } }],
      },
      { match: 'Sent to', content: [{ type: 'text', text: 'Waiting for the deployer.' }] },
      { match: 'Deployer stopped', content: [{ type: 'text', text: 'The deployer was interrupted.' }] },
    ]);
    const stream = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'Long job' }] }],
    });
    const running = await stream.until(
      (event) => event.type === 'agent.tool_use' && Boolean(event.session_thread_id),
      20_000,
    );
    const threadId = String(running.at(-1)?.session_thread_id);
    const started = Date.now();
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.interrupt', session_thread_id: threadId }],
    });
    const rest = await stream.until(isIdle, 20_000);
    assert.ok(Date.now() - started < 10_000, 'the sleep was cut short');
    const workerIdle = rest.find(
      (event) => event.type === 'session.thread_status_idle' && event.session_thread_id === threadId,
    );
    assert.ok(workerIdle, 'the worker went idle');
    const threadEvents = [];
    for await (const event of client.beta.sessions.threads.events.list(threadId, {
      session_id: session.id,
    })) {
      threadEvents.push(event);
    }
    const result = threadEvents.find((event) => event.type === 'agent.tool_result') as
      | { is_error?: boolean; content?: Array<{ text?: string }> }
      | undefined;
    assert.equal(result?.is_error, true);
    assert.match(JSON.stringify(result?.content), /interrupted/);
    stream.close();
  });
});
