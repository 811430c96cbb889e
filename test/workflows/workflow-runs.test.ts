import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, type StreamEvent, startHarnessFixture } from '../support/harness-fixture.js';
import { collectUntil, workflowAgent, workflowEvents } from './workflow-support.js';

const ZERO_CACHE = { cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

for (const dialect of DIALECTS) {
  describe(`workflow runs (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect, [], {
        workflows: { maxOpenRunsPerSession: 1, pollMs: 50 },
      });
    });
    after(async () => fixture.close());

    it('runs two phases, three threads then one, with every workflow_run.* event in order and its cost', async () => {
      const { client, model } = fixture;
      const session = await workflowAgent(client, `fan-${dialect}`);
      const program = `
        const parts = await phase('Read', () => Promise.all(input.items.map((item) => agent('READ-' + item))));
        const summary = await phase('Reconcile', () => agent('RECONCILE ' + parts.join(' | ')));
        log('reconciled', parts.length);
        return { parts, summary };`;
      // Sonnet at $3/$15 per M: A $0.315, B $0.63, C $0.945, reconcile $0.1575: the run $2.0475.
      model.push([
        {
          match: 'Audit the three',
          content: [
            {
              type: 'tool_use',
              name: 'start_workflow_run',
              input: {
                name: 'audit',
                description: 'Read three, then reconcile',
                phases: [{ name: 'Read', description: 'One agent per item' }, { name: 'Reconcile' }],
                program,
                input: { items: ['A', 'B', 'C'] },
              },
            },
          ],
        },
        { match: 'Started workflow run', content: [{ type: 'text', text: 'Waiting for the run.' }] },
        {
          match: 'READ-A',
          content: [{ type: 'text', text: 'found-A' }],
          usage: { input_tokens: 100_000, output_tokens: 1_000, ...ZERO_CACHE },
        },
        {
          match: 'READ-B',
          content: [{ type: 'text', text: 'found-B' }],
          usage: { input_tokens: 200_000, output_tokens: 2_000, ...ZERO_CACHE },
        },
        {
          match: 'READ-C',
          content: [{ type: 'text', text: 'found-C' }],
          usage: { input_tokens: 300_000, output_tokens: 3_000, ...ZERO_CACHE },
        },
        {
          match: 'RECONCILE',
          content: [{ type: 'text', text: 'all-good' }],
          usage: { input_tokens: 50_000, output_tokens: 500, ...ZERO_CACHE },
        },
        { match: 'ended: completed', content: [{ type: 'text', text: 'The audit is done.' }] },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Audit the three items' }] }],
      });
      const events = await collectUntil(client, session.id, (all) =>
        all.some(
          (event) =>
            event.type === 'agent.message' && JSON.stringify(event.content).includes('The audit is done.'),
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
          'workflow_run.phase_started',
          'workflow_run.phase_ended',
          'workflow_run.status_ended',
        ],
      );
      const created = run[0] as StreamEvent;
      const runId = created['workflow_run_id'] as string;
      assert.match(runId, /^wfrun_/);
      assert.equal(created['name'], 'audit');
      assert.equal(created['description'], 'Read three, then reconcile');
      const phases = created['phases'] as Array<{ id: string; name: string; description: string | null }>;
      assert.deepEqual(
        phases.map((phase) => [phase.name, phase.description]),
        [
          ['Read', 'One agent per item'],
          ['Reconcile', null],
        ],
      );
      for (const event of run) assert.equal(event['workflow_run_id'], runId);
      assert.equal(run[2]?.['workflow_run_phase_id'], phases[0]?.id);
      assert.equal(run[3]?.['phase_started_id'], run[2]?.id);
      assert.equal(run[4]?.['workflow_run_phase_id'], phases[1]?.id);
      assert.equal(run[5]?.['phase_started_id'], run[4]?.id);
      assert.deepEqual(run[6]?.['result'], { type: 'completed' });

      // Three threads during the first phase, one after it ended, each created by the run.
      const seq = (event: StreamEvent) => events.indexOf(event);
      const created4 = events.filter((event) => event.type === 'session.thread_created');
      assert.equal(created4.length, 4);
      for (const event of created4) assert.equal(event['workflow_run_id'], runId);
      assert.ok(
        created4.slice(0, 3).every((event) => seq(event) > seq(run[2]!) && seq(event) < seq(run[3]!)),
      );
      assert.ok(seq(created4[3]!) > seq(run[4]!) && seq(created4[3]!) < seq(run[5]!));

      // The run's cost is its threads' own usage: each thread's list_cost, and the total in the notice.
      const threads = (await client.beta.sessions.threads.list(session.id)).data.filter(
        (thread) => thread.parent_thread_id !== null,
      );
      assert.equal(threads.length, 4);
      for (const thread of threads) assert.equal(thread.workflow_run_id, runId);
      const cents = threads.map((thread) => Number(thread.usage?.list_cost?.amount)).sort((a, b) => a - b);
      assert.deepEqual(cents, [15, 31, 63, 94]);
      const notice = events.find((event) => event.type === 'system.message');
      const noticeText = JSON.stringify(notice?.['content']);
      assert.match(noticeText, /ended: completed\. Spent: \$2\.0475\./);
      assert.match(noticeText, /found-A.*found-B.*found-C.*all-good/);
      // The primary thread's turn reads the notice: the reconcile prompt had the three replies in order.
      const prompts = model.requests().map((request) => JSON.stringify(request.body));
      assert.ok(prompts.some((body) => body.includes('RECONCILE found-A | found-B | found-C')));
    });

    it('refuses a run over the open-run limit with workflow_run.error max_workflow_runs_error', async () => {
      const { client, model } = fixture;
      const session = await workflowAgent(client, `limit-${dialect}`);
      const start = (name: string) => ({
        type: 'tool_use' as const,
        name: 'start_workflow_run',
        input: { name, program: `return await agent('HOLD-${name}')` },
      });
      model.push([
        { match: 'Two runs', content: [start('first'), start('second')] },
        { match: 'HOLD-first', content: [{ type: 'text', text: 'held' }], delay_ms: 100 },
        { match: 'no run was created', content: [{ type: 'text', text: 'One was refused.' }] },
        { match: 'ended: completed', content: [{ type: 'text', text: 'LIMIT-DONE' }] },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Two runs please' }] }],
      });
      const events = await collectUntil(client, session.id, (all) =>
        all.some(
          (event) => event.type === 'agent.message' && JSON.stringify(event.content).includes('LIMIT-DONE'),
        ),
      );
      const errors = events.filter((event) => event.type === 'workflow_run.error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.['workflow_run_id'], null);
      assert.equal(errors[0]?.['error']?.type, 'max_workflow_runs_error');
      assert.equal(events.filter((event) => event.type === 'workflow_run.created').length, 1);
      const refused = events.find(
        (event) =>
          event.type === 'agent.tool_result' && JSON.stringify(event.content).includes('no run was created'),
      );
      assert.equal(refused?.['is_error'], true);
    });
  });
}
