import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  type StreamEvent,
  startHarnessFixture,
} from '../support/harness-fixture.js';

// Sonnet 4.6 at $3/$15 per M: 20K in + 1K out = 7.5 cents a call.
const CALL_USAGE = { input_tokens: 20_000, output_tokens: 1_000 };
const TINY_USAGE = { input_tokens: 10, output_tokens: 10 };

describe('a budget covers every thread of a session', () => {
  let fixture: HarnessFixture;
  before(async () => {
    fixture = await startHarnessFixture('sqlite');
  });
  after(async () => fixture.close());

  it("a worker stops at the session's budget, counting the coordinator's spend", async () => {
    const { client, model } = fixture;
    const worker = await client.beta.agents.create({ name: 'Worker', model: 'claude-sonnet-4-6' });
    const lead = await client.beta.agents.create({
      name: 'Lead',
      model: 'claude-sonnet-4-6',
      // @ts-expect-error the guide's roster form
      agents: [{ agent_id: worker.id, name: 'Worker' }],
    });
    const environment = await client.beta.environments.create({ name: `budget-${Math.random()}` });
    const session = await client.beta.sessions.create({
      agent: lead.id,
      environment_id: environment.id,
      budget: { type: 'limit', max_list_cost: { amount: '10', currency: 'USD' } },
    });
    model.push([
      {
        match: 'Do the work',
        content: [
          { type: 'tool_use', name: 'send_to_agent', input: { agent: 'Worker', message: 'WORK-TASK' } },
        ],
        stop_reason: 'tool_use',
        usage: TINY_USAGE,
      },
      // 7.5 cents: the session (not this thread alone) is now near its 10-cent budget.
      { match: 'Sent to', content: [{ type: 'text', text: 'Waiting for the worker.' }], usage: CALL_USAGE },
      {
        match: 'WORK-TASK',
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo STEP-ONE' } }],
        stop_reason: 'tool_use',
        usage: CALL_USAGE,
      },
      { match: 'STEP-ONE', content: [{ type: 'text', text: 'worker done' }], usage: TINY_USAGE },
    ]);
    const stream = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'Do the work' }] }],
    });
    const seen: StreamEvent[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const batch = await stream.until(
        (event) => isIdle(event) || event.type === 'session.thread_status_idle',
        30_000,
      );
      seen.push(...batch);
      if (seen.some((event) => event.type === 'session.thread_status_idle')) break;
    }
    stream.close();
    const threadIdle = seen.find((event) => event.type === 'session.thread_status_idle');
    assert.equal(threadIdle?.stop_reason?.type, 'budget_reached');
    const bodies = model.requests().map((request) => JSON.stringify(request.body));
    assert.ok(
      bodies.some((body) => body.includes('WORK-TASK')),
      'the worker made its first call',
    );
    assert.ok(!bodies.some((body) => body.includes('STEP-ONE')), 'no worker call past the budget');
    // The session is not left running: it settles idle, stopped by the budget.
    let status = '';
    for (let attempt = 0; attempt < 100 && status !== 'idle'; attempt++) {
      status = (await client.beta.sessions.retrieve(session.id)).status;
      if (status !== 'idle') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, 'idle');
  });
});
