import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';

// Worker A (Sonnet, $3/$15 per M) makes two requests: 139,800 in / 2,800 out = $0.4614 → 46 cents.
// Worker B (Haiku, $1/$5 per M) makes one: 300,000 in / 10,000 out = $0.35 → 35 cents.
const A_FIRST = { input_tokens: 100_000, output_tokens: 2_000 };
const A_SECOND = { input_tokens: 39_800, output_tokens: 800 };
const B_ONLY = { input_tokens: 300_000, output_tokens: 10_000 };

type Thread = Anthropic.Beta.Sessions.BetaManagedAgentsSessionThread;

/** Polls (the wait is not the assertion) until the session is idle with both workers' usage saved. */
async function settled(client: Anthropic, sessionId: string): Promise<Thread[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const session = await client.beta.sessions.retrieve(sessionId);
    const threads = (await client.beta.sessions.threads.list(sessionId)).data;
    const workers = threads.filter((thread) => thread.parent_thread_id !== null);
    const done = workers.length === 2 && workers.every((w) => w.status === 'idle' && w.usage);
    if (session.status === 'idle' && done) return workers;
    if (Date.now() > deadline) throw new Error(`not settled: ${session.status}, ${JSON.stringify(workers)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ownSpans(client: Anthropic, sessionId: string, threadId: string) {
  const sum = { input_tokens: 0, output_tokens: 0, requests: 0 };
  for await (const event of client.beta.sessions.threads.events.list(threadId, { session_id: sessionId })) {
    if (event.type !== 'span.model_request_end') continue;
    sum.input_tokens += event.model_usage.input_tokens;
    sum.output_tokens += event.model_usage.output_tokens;
    sum.requests += 1;
  }
  return sum;
}

for (const dialect of DIALECTS) {
  describe(`per-thread usage (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    it("each worker thread's usage and cost are the sum of its own requests, not the session's", async () => {
      const { client, model } = fixture;
      const small = await client.beta.agents.create({ name: 'Small', model: 'claude-sonnet-4-6' });
      const big = await client.beta.agents.create({ name: 'Big', model: 'claude-haiku-4-5' });
      const lead = await client.beta.agents.create({
        name: 'Lead',
        model: 'claude-opus-4-6',
        multiagent: { type: 'coordinator', agents: [small.id, big.id] },
      });
      const environment = await client.beta.environments.create({ name: `usage-${dialect}` });
      const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
      model.push([
        {
          match: 'Measure both',
          content: [
            { type: 'tool_use', name: 'send_to_agent', input: { agent: 'Small', message: 'TASK-A' } },
            { type: 'tool_use', name: 'send_to_agent', input: { agent: 'Big', message: 'TASK-B' } },
          ],
          usage: { input_tokens: 50, output_tokens: 5 },
        },
        // A denied call to an unknown tool gives worker A a second request without a sandbox.
        { match: 'TASK-A', content: [{ type: 'tool_use', name: 'probe_a', input: {} }], usage: A_FIRST },
        { match: 'probe_a', content: [{ type: 'text', text: 'A-DONE' }], usage: A_SECOND },
        { match: 'TASK-B', content: [{ type: 'text', text: 'B-DONE' }], usage: B_ONLY },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Measure both' }] }],
      });
      const workers = await settled(client, session.id);
      const byName = new Map(workers.map((w) => [(w.agent as { name: string }).name, w]));
      const a = byName.get('Small');
      const b = byName.get('Big');
      assert.ok(a && b);

      const aSpans = await ownSpans(client, session.id, a.id);
      const bSpans = await ownSpans(client, session.id, b.id);
      assert.deepEqual(aSpans, { input_tokens: 139_800, output_tokens: 2_800, requests: 2 });
      assert.deepEqual(bSpans, { input_tokens: 300_000, output_tokens: 10_000, requests: 1 });
      assert.equal(a.usage?.input_tokens, aSpans.input_tokens);
      assert.equal(a.usage?.output_tokens, aSpans.output_tokens);
      assert.equal(b.usage?.input_tokens, bSpans.input_tokens);
      assert.equal(b.usage?.output_tokens, bSpans.output_tokens);
      // Each priced at its own model, in whole cents (rounded down), without session runtime.
      assert.deepEqual(a.usage?.list_cost, { amount: '46', currency: 'USD' });
      assert.deepEqual(b.usage?.list_cost, { amount: '35', currency: 'USD' });
      assert.equal(a.usage?.active_seconds, a.stats?.active_seconds);

      // The session's usage is every thread's, so it is more than either worker's.
      const whole = await client.beta.sessions.retrieve(session.id);
      assert.ok((whole.usage.input_tokens ?? 0) > 300_000 + 139_800);
      // One thread's retrieve shows the same figure as the list (the console's thread card reads it).
      const one = await client.beta.sessions.threads.retrieve(a.id, { session_id: session.id });
      assert.equal(one.usage?.input_tokens, 139_800);
    });
  });
}
