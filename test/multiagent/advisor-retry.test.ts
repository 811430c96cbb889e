import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { DEFAULT_RETRY_POLICY } from '../../src/core/harness/retry-policy.js';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, type StreamEvent, startHarnessFixture } from '../support/harness-fixture.js';

/** Polls (the wait is not the assertion) until the primary's tool call has its result and the session is idle. */
async function settled(client: Anthropic, sessionId: string): Promise<StreamEvent[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const events: StreamEvent[] = [];
    for await (const event of client.beta.sessions.events.list(sessionId)) events.push(event as StreamEvent);
    const answered = events.some((event) => event.type === 'agent.tool_result');
    if (answered && (await client.beta.sessions.retrieve(sessionId)).status === 'idle') return events;
    if (Date.now() > deadline) throw new Error(`not settled: ${events.map((e) => e.type).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function advisorThread(client: Anthropic, sessionId: string) {
  const threads = (await client.beta.sessions.threads.list(sessionId)).data;
  const advisor = threads.find((thread) => thread.parent_thread_id !== null);
  assert.ok(advisor, 'an advisor thread');
  const own: StreamEvent[] = [];
  for await (const event of client.beta.sessions.threads.events.list(advisor.id, { session_id: sessionId }))
    own.push(event as StreamEvent);
  return { advisor, own };
}

for (const dialect of DIALECTS) {
  describe(`advisor retries (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    async function consult(question: string) {
      const { client } = fixture;
      const lead = await client.beta.agents.create({
        name: 'Asker',
        model: 'claude-sonnet-4-6',
        multiagent: {
          type: 'multiagent_20261001',
          advisor: { type: 'enabled', model: 'claude-opus-4-6' },
          subagents: { type: 'disabled' },
        },
      });
      const environment = await fixture.client.beta.environments.create({
        name: `retry-${question}-${dialect}`,
      });
      return client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
    }
    const advisorRequests = (question: string) =>
      fixture.model
        .requests()
        .filter((request) => JSON.stringify(request.body).includes(`The agent asks: ${question}`)).length;

    it('a 529 and a 429 are retried; the primary gets the advice', async () => {
      const { client, model } = fixture;
      const session = await consult('Q-RETRY');
      model.push([
        { match: 'The agent asks: Q-RETRY', error: { status: 529, type: 'overloaded_error' } },
        { match: 'The agent asks: Q-RETRY', error: { status: 429, type: 'rate_limit_error' } },
        { match: 'The agent asks: Q-RETRY', content: [{ type: 'text', text: 'ADVICE-AFTER-RETRIES' }] },
        {
          match: 'Ask Q-RETRY',
          content: [{ type: 'tool_use', name: 'advisor', input: { question: 'Q-RETRY' } }],
        },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Ask Q-RETRY' }] }],
      });
      const events = await settled(client, session.id);
      const result = events.find((event) => event.type === 'agent.tool_result');
      assert.equal(result?.is_error, false);
      assert.match(JSON.stringify(result?.content), /ADVICE-AFTER-RETRIES/);
      assert.equal(advisorRequests('Q-RETRY'), 3);
      const { advisor, own } = await advisorThread(client, session.id);
      const ends = own.filter((event) => event.type === 'span.model_request_end');
      assert.deepEqual(
        ends.map((end) => end.is_error),
        [true, true, false],
        'each attempt is its own request on the advisor thread',
      );
      assert.equal(advisor.status, 'idle');
      const idle = own.filter((event) => event.type === 'session.thread_status_idle').at(-1);
      assert.equal(idle?.stop_reason?.type, 'end_turn');
    });

    it('an advisor that stays overloaded is tried as often as the retry policy allows, then the primary gets an error result', async () => {
      const { client, model } = fixture;
      const session = await consult('Q-DOWN');
      const attempts = DEFAULT_RETRY_POLICY.maxAttempts;
      model.push([
        ...Array.from({ length: attempts }, () => ({
          match: 'The agent asks: Q-DOWN',
          error: { status: 529, type: 'overloaded_error' },
        })),
        // Only reached if the harness made one attempt too many.
        { match: 'The agent asks: Q-DOWN', content: [{ type: 'text', text: 'TOO-MANY-ATTEMPTS' }] },
        {
          match: 'Ask Q-DOWN',
          content: [{ type: 'tool_use', name: 'advisor', input: { question: 'Q-DOWN' } }],
        },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Ask Q-DOWN' }] }],
      });
      const events = await settled(client, session.id);
      const result = events.find((event) => event.type === 'agent.tool_result');
      assert.equal(result?.is_error, true);
      assert.match(JSON.stringify(result?.content), /the consultation failed/);
      assert.equal(advisorRequests('Q-DOWN'), attempts);
      const { own } = await advisorThread(client, session.id);
      const idle = own.filter((event) => event.type === 'session.thread_status_idle').at(-1);
      assert.equal(idle?.stop_reason?.type, 'retries_exhausted');
    });

    it('a 400 is not retried', async () => {
      const { client, model } = fixture;
      const session = await consult('Q-BAD');
      model.push([
        { match: 'The agent asks: Q-BAD', error: { status: 400, type: 'invalid_request_error' } },
        { match: 'The agent asks: Q-BAD', content: [{ type: 'text', text: 'NOT-RETRIED' }] },
        {
          match: 'Ask Q-BAD',
          content: [{ type: 'tool_use', name: 'advisor', input: { question: 'Q-BAD' } }],
        },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Ask Q-BAD' }] }],
      });
      const events = await settled(client, session.id);
      assert.equal(events.find((event) => event.type === 'agent.tool_result')?.is_error, true);
      assert.equal(advisorRequests('Q-BAD'), 1);
    });
  });
}
