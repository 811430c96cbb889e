import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import {
  ASK_HUMAN,
  collectUntil,
  startWaitingRun,
  workflowAgent,
  workflowEvents,
} from './workflow-support.js';

const ZERO_CACHE = { cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

for (const dialect of DIALECTS) {
  describe(`workflow run limits and archive (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect, [], { workflows: { pollMs: 50 } });
    });
    after(async () => fixture.close());

    it("a run's spend limit stops it cleanly: its phase closed, workflow_run.error, then status_ended", async () => {
      const { client, model } = fixture;
      const session = await workflowAgent(client, `budget-${dialect}`);
      const program = `
        await phase('Spend', async () => {
          await agent('COSTLY-ONE');
          await agent('COSTLY-TWO');
        });
        return 'never';`;
      model.push([
        {
          match: 'Spend some',
          content: [
            {
              type: 'tool_use',
              name: 'start_workflow_run',
              input: { name: 'spender', phases: [{ name: 'Spend' }], program, max_spend_usd: '0.5' },
            },
          ],
        },
        { match: 'Started workflow run', content: [{ type: 'text', text: 'Started.' }] },
        // Sonnet at $3 per M input: $0.60, over the run's $0.50.
        {
          match: 'COSTLY-ONE',
          content: [{ type: 'text', text: 'spent' }],
          usage: { input_tokens: 200_000, output_tokens: 0, ...ZERO_CACHE },
        },
        { match: 'COSTLY-TWO', content: [{ type: 'text', text: 'must not run' }] },
        { match: 'ended: error', content: [{ type: 'text', text: 'BUDGET-NOTED' }] },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Spend some money' }] }],
      });
      const events = await collectUntil(client, session.id, (all) =>
        all.some(
          (event) => event.type === 'agent.message' && JSON.stringify(event.content).includes('BUDGET-NOTED'),
        ),
      );
      const run = workflowEvents(events);
      assert.deepEqual(
        run.map((event) => event.type),
        [
          'workflow_run.created',
          'workflow_run.status_running',
          'workflow_run.phase_started',
          'workflow_run.phase_ended',
          'workflow_run.error',
          'workflow_run.status_ended',
        ],
      );
      const error = run[4]?.['error'] as { type: string; message: string };
      assert.equal(error.type, 'unknown_error');
      assert.match(error.message, /spend limit of \$0\.5/);
      assert.deepEqual(run[5]?.['result'], { type: 'error', error });
      assert.equal(events.filter((event) => event.type === 'session.thread_created').length, 1);
      assert.ok(!events.some((event) => JSON.stringify(event['content'] ?? '').includes('must not run')));
    });

    it("archiving the session ends its open run: the phase closes and the run ends 'stopped'", async () => {
      const { client, model } = fixture;
      const session = await workflowAgent(client, `archive-${dialect}`, {
        tools: [ASK_HUMAN],
      });
      // The run's thread waits on a client tool result that never comes.
      await startWaitingRun(client, model, session.id, { ask: 'Wait on a person', marker: 'ASK-FOREVER' });
      await collectUntil(client, session.id, (all) =>
        all.some((event) => event.type === 'agent.custom_tool_use'),
      );
      await collectUntil(client, session.id, (all) =>
        all.some((event) => event.type === 'workflow_run.phase_started'),
      );
      const waitIdle = async () => {
        const deadline = Date.now() + 60_000;
        while ((await client.beta.sessions.retrieve(session.id)).status !== 'idle') {
          if (Date.now() > deadline) throw new Error('the session never went idle');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      await waitIdle();
      // The run's only thread waits on the client: the run is idle.
      await collectUntil(client, session.id, (all) =>
        all.some((event) => event.type === 'workflow_run.status_idle'),
      );
      await client.beta.sessions.archive(session.id);
      const events = await collectUntil(client, session.id, (all) =>
        all.some((event) => event.type === 'workflow_run.status_ended'),
      );
      const run = workflowEvents(events);
      assert.deepEqual(
        run.map((event) => event.type),
        [
          'workflow_run.created',
          'workflow_run.status_running',
          'workflow_run.phase_started',
          // Ended while idle: no status_running in between (the SDK's rule).
          'workflow_run.status_idle',
          'workflow_run.phase_ended',
          'workflow_run.status_ended',
        ],
      );
      assert.deepEqual(run[5]?.['result'], { type: 'stopped' });
      assert.equal(run[4]?.['phase_started_id'], run[2]?.id);
      // An archived session gets no notice and starts no turn.
      assert.ok(!events.some((event) => event.type === 'system.message'));
    });
  });
}
