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

/**
 * A run whose only thread waits on the client is idle (`workflow_run.status_idle`); the client's
 * answer resumes it (`workflow_run.status_running`), and it ends once its thread replies.
 */
for (const dialect of DIALECTS) {
  describe(`workflow run idle and running again (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect, [], { workflows: { pollMs: 50 } });
    });
    after(async () => fixture.close());

    it('goes idle while its thread waits on a custom tool result and runs again once it is sent', async () => {
      const { client, model } = fixture;
      const session = await workflowAgent(client, `idle-${dialect}`, {
        tools: [ASK_HUMAN],
      });
      await startWaitingRun(client, model, session.id, {
        ask: 'Ask a person for me',
        marker: 'IDLE-ASK',
        name: 'asker',
        program: `return await phase('Ask', () => agent('IDLE-ASK'))`,
        after: [
          { match: 'the person said yes', content: [{ type: 'text', text: 'ANSWERED-YES' }] },
          { match: 'ended: completed', content: [{ type: 'text', text: 'IDLE-RUN-DONE' }] },
        ],
      });
      const waiting = await collectUntil(client, session.id, (all) =>
        all.some((event) => event.type === 'workflow_run.status_idle'),
      );
      const use = waiting.find((event) => event.type === 'agent.custom_tool_use');
      assert.ok(use, 'the thread asked the client');
      const created = waiting.find((event) => event.type === 'workflow_run.created');
      const idle = waiting.find((event) => event.type === 'workflow_run.status_idle');
      assert.equal(idle?.['workflow_run_id'], created?.['workflow_run_id']);
      assert.deepEqual(Object.keys(idle ?? {}).sort(), ['id', 'processed_at', 'type', 'workflow_run_id']);
      // Idle after the thread went idle waiting on the client, not before.
      const threadWaits = waiting.findIndex(
        (event) =>
          event.type === 'session.thread_status_idle' &&
          (event['stop_reason'] as { type: string }).type === 'requires_action',
      );
      assert.ok(threadWaits >= 0 && threadWaits < waiting.indexOf(idle!));

      await client.beta.sessions.events.send(session.id, {
        events: [
          {
            type: 'user.custom_tool_result',
            custom_tool_use_id: String(use.id),
            content: [{ type: 'text', text: 'the person said yes' }],
          },
        ],
      });
      const events = await collectUntil(client, session.id, (all) =>
        all.some(
          (event) =>
            event.type === 'agent.message' && JSON.stringify(event.content).includes('IDLE-RUN-DONE'),
        ),
      );
      const run = workflowEvents(events);
      assert.deepEqual(
        run.map((event) => event.type),
        [
          'workflow_run.created',
          'workflow_run.status_running',
          'workflow_run.phase_started',
          'workflow_run.status_idle',
          'workflow_run.status_running',
          'workflow_run.phase_ended',
          'workflow_run.status_ended',
        ],
      );
      assert.deepEqual(run[6]?.['result'], { type: 'completed' });
      // Running again only once the client answered.
      const answered = events.findIndex((event) => event.type === 'user.custom_tool_result');
      assert.ok(answered >= 0 && answered < events.indexOf(run[4]!));
      const notice = events.find((event) => event.type === 'system.message');
      assert.match(JSON.stringify(notice?.['content']), /ANSWERED-YES/);
    });
  });
}
