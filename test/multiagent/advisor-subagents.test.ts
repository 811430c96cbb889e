import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, type StreamEvent, startHarnessFixture } from '../support/harness-fixture.js';

/** Polls the session's events (the wait is not the assertion) until `done` holds and the session is idle. */
async function eventsWhen(
  client: Anthropic,
  sessionId: string,
  done: (events: StreamEvent[]) => boolean,
): Promise<StreamEvent[]> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const events: StreamEvent[] = [];
    for await (const event of client.beta.sessions.events.list(sessionId)) events.push(event as StreamEvent);
    const session = await client.beta.sessions.retrieve(sessionId);
    if (session.status === 'idle' && done(events)) return events;
    if (Date.now() > deadline) throw new Error(`not done: ${events.map((e) => e.type).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function threadEvents(client: Anthropic, sessionId: string, threadId: string): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of client.beta.sessions.threads.events.list(threadId, { session_id: sessionId }))
    out.push(event as StreamEvent);
  return out;
}

const spanSum = (events: StreamEvent[]) =>
  events
    .filter((event) => event.type === 'span.model_request_end')
    .reduce(
      (sum, event) => ({
        input_tokens: sum.input_tokens + event.model_usage.input_tokens,
        output_tokens: sum.output_tokens + event.model_usage.output_tokens,
      }),
      { input_tokens: 0, output_tokens: 0 },
    );

const toolResultText = (events: StreamEvent[], toolUseId: string) =>
  JSON.stringify(
    events.find((event) => event.type === 'agent.tool_result' && event.tool_use_id === toolUseId),
  );

for (const dialect of DIALECTS) {
  describe(`multiagent_20261001 advisor and subagents (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    it('consults an advisor on its own model, in its own thread, with its own usage and cost', async () => {
      const { client, model } = fixture;
      const lead = await client.beta.agents.create({
        name: 'Executor',
        model: 'claude-sonnet-4-6',
        system: 'You carry out tasks.',
        multiagent: {
          type: 'multiagent_20261001',
          advisor: { type: 'enabled', model: 'claude-opus-4-6' },
          subagents: { type: 'disabled' },
        },
      });
      const environment = await client.beta.environments.create({ name: `advisor-${dialect}` });
      const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
      model.push([
        // First, so that no later turn's match catches the advisor's request (it quotes the conversation).
        {
          match: 'The agent asks: Which file first?',
          content: [{ type: 'text', text: 'ADVICE: start with calc.py.' }],
          // Opus at $5/$25 per M: $1.00 + $0.10 = 110 cents.
          usage: { input_tokens: 200_000, output_tokens: 4_000 },
        },
        {
          match: 'Plan the calc work',
          content: [{ type: 'tool_use', name: 'advisor', input: { question: 'Which file first?' } }],
          usage: { input_tokens: 1_000, output_tokens: 50 },
        },
        {
          match: 'ADVICE: start',
          content: [{ type: 'text', text: 'Following the advice.' }],
          usage: { input_tokens: 1_200, output_tokens: 20 },
        },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Plan the calc work' }] }],
      });
      const events = await eventsWhen(client, session.id, (seen) =>
        seen.some((event) => event.type === 'agent.message' && JSON.stringify(event).includes('Following')),
      );
      const use = events.find((event) => event.type === 'agent.tool_use' && event.name === 'advisor');
      assert.ok(use, 'the primary thread called the advisor tool');
      assert.match(toolResultText(events, use.id ?? ''), /ADVICE: start with calc\.py/);
      const created = events.find((event) => event.type === 'session.thread_created');
      assert.equal(created?.agent_name, 'anthropic.advisor');

      const threads = (await client.beta.sessions.threads.list(session.id)).data;
      const advisor = threads.find((thread) => thread.parent_thread_id !== null);
      assert.ok(advisor);
      assert.deepEqual(advisor.agent, { type: 'advisor', model: 'claude-opus-4-6' });
      assert.equal(advisor.status, 'idle');
      const own = await threadEvents(client, session.id, advisor.id);
      assert.deepEqual(spanSum(own), { input_tokens: 200_000, output_tokens: 4_000 });
      assert.equal(own.find((event) => event.type === 'span.model_request_end')?.model, 'claude-opus-4-6');
      assert.equal(advisor.usage?.input_tokens, 200_000);
      assert.equal(advisor.usage?.output_tokens, 4_000);
      assert.deepEqual(advisor.usage?.list_cost, { amount: '110', currency: 'USD' });

      // The advisor's request: its model, its own prompt, no tools, the conversation as context.
      const advisorRequest = model
        .requests()
        .map((request) => request.body as { model: string; system?: unknown; tools?: unknown[] })
        .find((body) => JSON.stringify(body).includes('The agent asks: Which file first?'));
      assert.ok(advisorRequest);
      assert.equal(advisorRequest.model, 'claude-opus-4-6');
      assert.match(JSON.stringify(advisorRequest.system), /You are an advisor/);
      assert.ok(!advisorRequest.tools || advisorRequest.tools.length === 0);
      assert.match(JSON.stringify(advisorRequest), /User: Plan the calc work/);
      // The session's usage counts the consultation like any request.
      const whole = await client.beta.sessions.retrieve(session.id);
      assert.equal(whole.usage.input_tokens, 200_000 + 1_000 + 1_200);
    });

    it('spawns a predefined and an inline agent that run in parallel in one sandbox and report back', async () => {
      const { client, model } = fixture;
      const helper = await client.beta.agents.create({
        name: 'Helper',
        model: 'claude-haiku-4-5',
        system: 'You are a careful helper.',
        tools: [{ type: 'agent_toolset_20260401' }],
      });
      const lead = await client.beta.agents.create({
        name: 'Planner',
        model: 'claude-sonnet-4-6',
        system: 'You split work.',
        // The parent may grant bash and read only.
        tools: [
          {
            type: 'agent_toolset_20260401',
            default_config: { enabled: false },
            configs: [
              { name: 'bash', enabled: true },
              { name: 'read', enabled: true },
            ],
          },
        ],
        multiagent: {
          type: 'multiagent_20261001',
          subagents: { type: 'enabled', predefined_agents: [helper.id] },
        },
      });
      const environment = await client.beta.environments.create({ name: `spawn-${dialect}` });
      const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
      // Each worker's first reply is held until the other worker's first request has arrived: the
      // replies come only if both requests were in flight at once (no pause to outlast).
      model.push([
        {
          match: 'Split the job',
          content: [
            { type: 'tool_use', name: 'spawn_agent', input: { agent: 'Helper', message: 'PRE-TASK' } },
            {
              type: 'tool_use',
              name: 'spawn_agent',
              input: {
                inline_agent: { name: 'Scout', system: 'You are a scout.', tools: ['bash'] },
                message: 'INLINE-TASK',
              },
            },
            {
              type: 'tool_use',
              name: 'spawn_agent',
              input: {
                inline_agent: { name: 'Greedy', system: 'You want more.', tools: ['bash', 'write'] },
                message: 'NEVER-RUNS',
              },
            },
          ],
          usage: { input_tokens: 500, output_tokens: 60 },
        },
        {
          match: 'PRE-TASK',
          content: [
            { type: 'tool_use', name: 'bash', input: { command: 'echo HELPER-WROTE | tee helper.txt' } },
          ],
          usage: { input_tokens: 3_000, output_tokens: 100 },
          wait_for: 'INLINE-TASK',
        },
        {
          match: 'INLINE-TASK',
          content: [
            { type: 'tool_use', name: 'bash', input: { command: 'echo SCOUT-WROTE | tee scout.txt' } },
          ],
          usage: { input_tokens: 7_000, output_tokens: 300 },
          wait_for: 'PRE-TASK',
        },
        {
          match: 'HELPER-WROTE',
          content: [{ type: 'text', text: 'HELPER-REPORT' }],
          usage: { input_tokens: 3_100, output_tokens: 10 },
        },
        {
          match: 'SCOUT-WROTE',
          content: [{ type: 'text', text: 'SCOUT-REPORT' }],
          usage: { input_tokens: 7_100, output_tokens: 20 },
        },
        {
          match: 'Spawned',
          content: [{ type: 'text', text: 'Waiting for both.' }],
          usage: { input_tokens: 600, output_tokens: 5 },
        },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Split the job' }] }],
      });
      const events = await eventsWhen(
        client,
        session.id,
        (seen) => seen.filter((event) => event.type === 'agent.thread_message_received').length >= 2,
      );
      const replies = events
        .filter((event) => event.type === 'agent.thread_message_received')
        .map((event) => [event.from_agent_name, JSON.stringify(event.content)]);
      assert.deepEqual(replies.map(([name]) => name).sort(), ['Helper', 'Scout']);
      assert.ok(replies.some(([name, text]) => name === 'Helper' && /HELPER-REPORT/.test(text ?? '')));
      assert.ok(replies.some(([name, text]) => name === 'Scout' && /SCOUT-REPORT/.test(text ?? '')));
      // The inline agent asking for more than the parent may grant is refused, naming the tool.
      const greedy = events.find(
        (event) => event.type === 'agent.tool_use' && JSON.stringify(event.input).includes('Greedy'),
      );
      assert.match(toolResultText(events, greedy?.id ?? ''), /cannot grant write/);

      const threads = (await client.beta.sessions.threads.list(session.id)).data;
      const children = threads.filter((thread) => thread.parent_thread_id !== null);
      assert.equal(children.length, 2);
      const byName = new Map(children.map((thread) => [(thread.agent as { name: string }).name, thread]));
      const helperThread = byName.get('Helper');
      const scoutThread = byName.get('Scout');
      assert.ok(helperThread && scoutThread);
      assert.equal(helperThread.agent.type, 'agent');
      assert.equal(scoutThread.agent.type, 'inline');
      const helperOwn = await threadEvents(client, session.id, helperThread.id);
      const scoutOwn = await threadEvents(client, session.id, scoutThread.id);
      // Both threads were running before either finished: they ran at the same time. (Held by the
      // gates above, so this order no longer depends on how fast either thread was started.)
      const firstRequests = model
        .requests()
        .map((request) => JSON.stringify((request.body as { messages: unknown[] }).messages.at(-1)));
      assert.equal(firstRequests.filter((text) => text.includes('PRE-TASK')).length, 1);
      assert.equal(firstRequests.filter((text) => text.includes('INLINE-TASK')).length, 1);
      const types = events.map((event) => event.type);
      const firstIdle = types.indexOf('session.thread_status_idle');
      const running = types.map((type, index) => (type === 'session.thread_status_running' ? index : -1));
      assert.equal(running.filter((index) => index >= 0 && index < firstIdle).length, 2);
      // One sandbox for the session: both threads wrote into it.
      const workdir = join(fixture.server.database.dataDir, 'sandboxes', session.id);
      assert.equal(readFileSync(join(workdir, 'helper.txt'), 'utf8').trim(), 'HELPER-WROTE');
      assert.equal(readFileSync(join(workdir, 'scout.txt'), 'utf8').trim(), 'SCOUT-WROTE');
      // The inline agent ran with its own prompt and only the tool it was granted, and no spawn tool.
      const scoutRequest = model
        .requests()
        .map((request) => request.body as { system?: unknown; tools?: Array<{ name: string }> })
        .find((body) => /You are a scout/.test(JSON.stringify(body.system)));
      assert.deepEqual(
        scoutRequest?.tools?.map((tool) => tool.name),
        ['bash'],
      );
      // Per-thread usage is each thread's own requests.
      assert.deepEqual(spanSum(helperOwn), { input_tokens: 6_100, output_tokens: 110 });
      assert.deepEqual(spanSum(scoutOwn), { input_tokens: 14_100, output_tokens: 320 });
      for (const [thread, own] of [
        [helperThread, helperOwn],
        [scoutThread, scoutOwn],
      ] as const) {
        const fresh = await client.beta.sessions.threads.retrieve(thread.id, { session_id: session.id });
        assert.equal(fresh.usage?.input_tokens, spanSum(own).input_tokens);
        assert.equal(fresh.usage?.output_tokens, spanSum(own).output_tokens);
      }
    });
  });
}
