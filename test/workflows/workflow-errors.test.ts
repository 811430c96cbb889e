import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import { collectUntil, workflowAgent, workflowEvents } from './workflow-support.js';

const start = (marker: string, program: string): ScriptedTurn => ({
  match: marker,
  content: [{ type: 'tool_use', name: 'start_workflow_run', input: { name: marker, program } }],
});

async function runToEnd(client: Anthropic, sessionId: string, marker: string, done: string) {
  await client.beta.sessions.events.send(sessionId, {
    events: [{ type: 'user.message', content: [{ type: 'text', text: marker }] }],
  });
  return collectUntil(client, sessionId, (all) =>
    all.some((event) => event.type === 'agent.message' && JSON.stringify(event.content).includes(done)),
  );
}

for (const dialect of DIALECTS) {
  describe(`workflow run errors (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect, [], { workflows: { pollMs: 50, maxThreadsPerRun: 2 } });
    });
    after(async () => fixture.close());

    it('a third thread over a limit of two ends the run with thread_limit_error; inline agents run', async () => {
      const { client, model } = fixture;
      const session = await workflowAgent(client, `threads-${dialect}`);
      const program = `
        const inline = { name: 'Checker', system: 'You check one thing.' };
        return await Promise.all([agent('TL-ONE', { agent: inline }), agent('TL-TWO'), agent('TL-THREE')]);`;
      model.push([
        start('Too many threads', program),
        { match: 'TL-ONE', content: [{ type: 'text', text: 'one' }] },
        { match: 'TL-TWO', content: [{ type: 'text', text: 'two' }] },
        { match: 'thread_limit_error', content: [{ type: 'text', text: 'TL-NOTED' }] },
      ]);
      const events = await runToEnd(client, session.id, 'Too many threads', 'TL-NOTED');
      const run = workflowEvents(events);
      assert.deepEqual(
        run.map((event) => event.type),
        [
          'workflow_run.created',
          'workflow_run.status_running',
          'workflow_run.error',
          'workflow_run.status_ended',
        ],
      );
      assert.equal(run[2]?.['error']?.type, 'thread_limit_error');
      assert.deepEqual(run[3]?.['result'], { type: 'error', error: run[2]?.['error'] });
      const created = events.filter((event) => event.type === 'session.thread_created');
      assert.equal(created.length, 2);
      assert.ok(
        created.some((event) => event['agent_name'] === 'Checker'),
        'the inline agent ran in a thread',
      );
    });

    it('a program that throws ends the run with program_error; its message is in the run, not the event', async () => {
      const { client, model } = fixture;
      const session = await workflowAgent(client, `throws-${dialect}`);
      model.push([
        start('Throwing program', `log('about to fail'); throw new Error('secret detail');`),
        { match: 'program_error', content: [{ type: 'text', text: 'PE-NOTED' }] },
      ]);
      const events = await runToEnd(client, session.id, 'Throwing program', 'PE-NOTED');
      const run = workflowEvents(events);
      assert.deepEqual(
        run.map((event) => event.type),
        [
          'workflow_run.created',
          'workflow_run.status_running',
          'workflow_run.error',
          'workflow_run.status_ended',
        ],
      );
      assert.equal(run[2]?.['error']?.type, 'program_error');
      assert.ok(!JSON.stringify(run).includes('secret detail'), 'the server writes the message, not the run');
    });
  });
}
