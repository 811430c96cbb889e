import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { detectCgroups } from '../../src/sandbox/bwrap/cgroups.js';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import { collectUntil, workflowAgent, workflowEvents } from './workflow-support.js';

/**
 * A program that allocates past its cgroup's memory limit (off the V8 heap, so only the cgroup
 * stops it) is killed; the run ends with `workflow_run.error` (`program_error`) and the server
 * goes on serving and running programs.
 */
const support = await detectCgroups();
const workflows = loadConfig({ PATH: process.env['PATH'] }).workflows;

describe('a workflow program over its memory limit', { skip: !support.available && support.reason }, () => {
  let fixture: HarnessFixture;
  before(async () => {
    fixture = await startHarnessFixture(
      'sqlite',
      [],
      { workflows: { pollMs: 50 } },
      { workflows: { ...workflows, heapMb: 64, cgroup: { memoryMb: 192, pids: 64, cpus: 1 } } },
    );
  });
  after(async () => fixture.close());

  it('is killed, the run ends with program_error, and the server runs the next program', async () => {
    const { client, model } = fixture;
    const session = await workflowAgent(client, 'memory');
    const hog = 'const keep = []; for (;;) { keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); await budget(); }';
    model.push([
      {
        match: 'Eat memory',
        content: [{ type: 'tool_use', name: 'start_workflow_run', input: { name: 'hog', program: hog } }],
      },
      { match: 'Started workflow run', content: [{ type: 'text', text: 'Started.' }] },
      { match: 'ended: error', content: [{ type: 'text', text: 'HOG-ENDED' }] },
      {
        match: 'Now a small one',
        content: [
          {
            type: 'tool_use',
            name: 'start_workflow_run',
            input: { name: 'small', program: 'return 40 + 2' },
          },
        ],
      },
      { match: 'ended: completed', content: [{ type: 'text', text: 'SMALL-ENDED' }] },
    ]);
    const said = (text: string) => (all: Array<{ type: string; content?: unknown }>) =>
      all.some((event) => event.type === 'agent.message' && JSON.stringify(event.content).includes(text));
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'Eat memory' }] }],
    });
    const events = await collectUntil(client, session.id, said('HOG-ENDED'));
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
    assert.equal((run[2]?.['error'] as { type?: string } | undefined)?.type, 'program_error');
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'Now a small one' }] }],
    });
    const later = await collectUntil(client, session.id, said('SMALL-ENDED'));
    const notice = later.filter((event) => event.type === 'system.message').at(-1);
    assert.match(JSON.stringify(notice?.['content']), /ended: completed.*Output: 42/);
  });
});
