import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { createTestDatabase, DIALECTS, type Dialect } from '../support/databases.js';
import { childEnv, freePort, spawnPaddock } from '../support/paddock-process.js';
import { allEvents, collectUntil, workflowAgent, workflowEvents } from './workflow-support.js';

/**
 * A workflow run is driven from its journal: a `paddock serve` killed with SIGKILL while one
 * of the run's threads is mid-answer is restarted on the same data; the run's program starts
 * again from the top, the call whose thread already replied gets that reply from the log (no
 * new model request), the cut thread's request is made again (as for any thread), and the run
 * goes on to its second phase and ends once.
 */
const ADMIN_KEY = 'sk-paddock-kill-workflow-test';

const requestsWith = (model: ScriptedModelServer, marker: string) =>
  model.requests().filter((request) => {
    const messages =
      (request.body as { messages?: Array<{ role: string; content: unknown }> }).messages ?? [];
    const first = messages.find((message) => message.role === 'user');
    return JSON.stringify(first?.content ?? '').includes(marker);
  }).length;

async function killDuringRun(dialect: Dialect, model: ScriptedModelServer): Promise<void> {
  model.reset();
  const program = `
    const parts = await phase('Read', () => Promise.all(['A', 'B'].map((item) => agent('KREAD-' + item))));
    return await phase('Sum', () => agent('KSUM ' + parts.join(',')));`;
  model.push([
    {
      match: 'Read both',
      content: [
        {
          type: 'tool_use',
          name: 'start_workflow_run',
          input: { name: 'kill', phases: [{ name: 'Read' }, { name: 'Sum' }], program },
        },
      ],
    },
    { match: 'Started workflow run', content: [{ type: 'text', text: 'Started.' }] },
    { match: 'KREAD-A', content: [{ type: 'text', text: 'a-done' }] },
    // The first answer for B is slow (the server is killed while it streams); the second is quick.
    { match: 'KREAD-B', content: [{ type: 'text', text: 'b-late' }], delay_ms: 3_000 },
    { match: 'KREAD-B', content: [{ type: 'text', text: 'b-done' }] },
    { match: 'KSUM', content: [{ type: 'text', text: 'sum-done' }] },
    { match: 'ended: completed', content: [{ type: 'text', text: 'KILL-RUN-DONE' }] },
  ]);
  const database = await createTestDatabase(dialect);
  const env = childEnv({
    PADDOCK_DATA_DIR: database.dataDir,
    PADDOCK_PORT: String(await freePort()),
    PADDOCK_HOST: '127.0.0.1',
    PADDOCK_ADMIN_KEY: ADMIN_KEY,
    PADDOCK_ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'test-upstream-key',
    PADDOCK_SANDBOX: 'process',
    PADDOCK_WORKFLOW_POLL_MS: '50',
    // Short, so a Postgres node (random lease owner) takes the dead node's session and run quickly.
    PADDOCK_LEASE_TTL_MS: '2000',
    ...(dialect === 'postgres' ? { PADDOCK_DATABASE_URL: database.url } : {}),
  });
  let node = await spawnPaddock(env);
  try {
    let client = new Anthropic({ baseURL: node.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    const session = await workflowAgent(client, `kill-${dialect}`);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'Read both' }] }],
    });
    // A has replied (the first thread to go idle: B's answer is slow) and B's request streams: kill -9 now.
    await collectUntil(client, session.id, (events) =>
      events.some((event) => event.type === 'session.thread_status_idle'),
    );
    const deadline = Date.now() + 60_000;
    while (requestsWith(model, 'KREAD-B') < 1) {
      if (Date.now() > deadline) throw new Error('B was never asked');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await node.kill();

    node = await spawnPaddock(env);
    client = new Anthropic({ baseURL: node.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    await collectUntil(client, session.id, (events) =>
      events.some(
        (event) => event.type === 'agent.message' && JSON.stringify(event.content).includes('KILL-RUN-DONE'),
      ),
    );
    const events = await allEvents(client, session.id);
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
      'each workflow_run.* event once, in order, across the restart',
    );
    assert.deepEqual(run.at(-1)?.['result'], { type: 'completed' });
    assert.equal(
      events.filter((event) => event.type === 'session.thread_created').length,
      3,
      'A, B, then Sum',
    );
    assert.equal(requestsWith(model, 'KREAD-A'), 1, "A's finished work is not done again");
    assert.equal(requestsWith(model, 'KREAD-B'), 2, "B's cut request is made again, once");
    assert.equal(requestsWith(model, 'KSUM a-done,b-done'), 1);
    const ids = events.map((event) => event.id);
    assert.equal(new Set(ids).size, ids.length, 'no event twice');
  } finally {
    await node.kill();
    await database.drop();
  }
}

describe('kill -9 during a workflow run', () => {
  let model: ScriptedModelServer;
  before(async () => {
    model = await startScriptedModelServer();
  });
  after(async () => model.close());

  for (const dialect of DIALECTS)
    it(`resumes the run after restart without redoing a thread's work (${dialect})`, () =>
      killDuringRun(dialect, model));
});
