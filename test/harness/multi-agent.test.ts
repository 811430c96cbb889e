import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
  describe(`multi-agent orchestration (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    it('a coordinator delegates to two workers at once; both use bash in the shared sandbox; it combines their reports', async () => {
      const { client, model, server } = fixture;
      const reviewer = await client.beta.agents.create({
        name: 'Code Reviewer',
        description: 'Reviews code for quality, bugs, and security',
        model: 'claude-sonnet-4-6',
        system: 'You are an expert code reviewer.',
        tools: [{ type: 'agent_toolset_20260401' }],
      });
      const tester = await client.beta.agents.create({
        name: 'Test Writer',
        model: 'claude-sonnet-4-6',
        system: 'You write comprehensive test suites.',
        tools: [{ type: 'agent_toolset_20260401' }],
      });
      const lead = await client.beta.agents.create({
        name: 'Tech Lead',
        model: 'claude-opus-4-6',
        system: 'You are a tech lead. Delegate, then synthesize.',
        tools: [{ type: 'agent_toolset_20260401' }],
        // @ts-expect-error the guide's roster form
        agents: [
          { agent_id: reviewer.id, name: 'Code Reviewer' },
          { agent_id: tester.id, name: 'Test Writer' },
        ],
      });
      const environment = await client.beta.environments.create({ name: `team-${dialect}` });
      const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });

      model.push([
        {
          match: 'Review and test',
          content: [
            { type: 'tool_use', name: 'list_agents', input: {} },
            {
              type: 'tool_use',
              name: 'send_to_agent',
              input: { agent: 'Code Reviewer', message: 'REVIEW-TASK: review calc.py' },
            },
            {
              type: 'tool_use',
              name: 'send_to_agent',
              input: { agent: 'Test Writer', message: 'TEST-TASK: write tests for calc.py' },
            },
          ],
          stop_reason: 'tool_use',
        },
        {
          match: 'REVIEW-TASK',
          content: [
            { type: 'tool_use', name: 'bash', input: { command: 'echo REVIEWED-OK | tee review.txt' } },
          ],
          stop_reason: 'tool_use',
        },
        {
          match: 'TEST-TASK',
          content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo TESTS-OK | tee tests.txt' } }],
          stop_reason: 'tool_use',
        },
        { match: 'REVIEWED-OK', content: [{ type: 'text', text: 'Review: no bugs found.' }] },
        { match: 'TESTS-OK', content: [{ type: 'text', text: 'Tests: 3 written.' }] },
        { match: 'Sent to', content: [{ type: 'text', text: 'Delegated; waiting for the team.' }] },
      ]);

      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Review and test src/calc.py' }] }],
      });
      // The session stays running while workers run; it goes idle once the coordinator has both replies.
      const seen: StreamEvent[] = [];
      let received = 0;
      while (true) {
        const batch = await stream.until(
          (event) => isIdle(event) || event.type === 'agent.thread_message_received',
          30_000,
        );
        seen.push(...batch);
        const last = batch.at(-1);
        if (last?.type === 'agent.thread_message_received') received += 1;
        if (last && isIdle(last) && received >= 2) break;
      }
      const types = seen.map((event) => event.type);
      assert.equal(types.filter((type) => type === 'session.thread_created').length, 2);
      assert.ok(types.includes('agent.thread_message_sent'));
      assert.ok(types.includes('session.thread_status_running'));
      assert.ok(types.includes('session.thread_status_idle'));
      // Worker tool calls are cross-posted to the primary stream with their thread id; worker messages are not.
      const workerUses = seen.filter(
        (event) => event.type === 'agent.tool_use' && event['session_thread_id'],
      );
      assert.equal(workerUses.length, 2);
      assert.ok(!seen.some((event) => event.type === 'agent.message' && event['session_thread_id']));
      assert.equal(types.indexOf('session.status_idle'), types.length - 1, 'no idle before both replies');

      const replies = seen.filter(
        (event) => event.type === 'agent.thread_message_received',
      ) as unknown as Array<{
        from_agent_name: string;
        content: Array<{ text: string }>;
      }>;
      assert.deepEqual(replies.map((reply) => reply.from_agent_name).sort(), [
        'Code Reviewer',
        'Test Writer',
      ]);
      const coordinatorSaw = JSON.stringify(
        model
          .requests()
          .filter((request) => /Tech lead/i.test(JSON.stringify(request.body)))
          .map((request) => request.body),
      );
      assert.match(coordinatorSaw, /Review: no bugs found/);
      assert.match(coordinatorSaw, /Tests: 3 written/);
      // Workers ran with their own prompts and without delegation tools.
      const workerRequest = model
        .requests()
        .find((request) => /expert code reviewer/.test(JSON.stringify(request.body)));
      assert.ok(workerRequest);
      assert.doesNotMatch(JSON.stringify((workerRequest.body as { tools: unknown }).tools), /send_to_agent/);

      // Threads API: the primary plus two workers, each with its own events.
      const threads = await client.beta.sessions.threads.list(session.id);
      assert.equal(threads.data.length, 3);
      const workers = threads.data.filter((thread) => thread.parent_thread_id !== null);
      assert.equal(workers.length, 2);
      for (const worker of workers) {
        assert.equal(worker.status, 'idle');
        const workerEvents = [];
        for await (const event of client.beta.sessions.threads.events.list(worker.id, {
          session_id: session.id,
        })) {
          workerEvents.push(event.type);
        }
        assert.ok(workerEvents.includes('agent.message'), `worker events: ${workerEvents.join(', ')}`);
        assert.ok(workerEvents.includes('agent.tool_result'));
      }
      // One sandbox filesystem for the whole session.
      const workdir = join(server.database.dataDir, 'sandboxes', session.id);
      assert.ok(existsSync(join(workdir, 'review.txt')), 'the reviewer wrote into the session sandbox');
      assert.ok(existsSync(join(workdir, 'tests.txt')), 'the test writer wrote into the same sandbox');
      stream.close();
    });
  });
}
