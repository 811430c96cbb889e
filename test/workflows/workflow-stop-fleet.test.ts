import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { createPaddock, type Paddock } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_ADMIN_KEY, testServerConfig } from '../support/server.js';
import {
  ASK_HUMAN,
  collectUntil,
  startWaitingRun,
  workflowAgent,
  workflowEvents,
} from './workflow-support.js';

/**
 * `stop_workflow_run` is written to the run's row, not kept in the memory of the node that ran
 * the tool: node A's run driver is stopped (the run is left open, driven by no one), the agent
 * asks A for the stop, and node B, sharing A's Postgres and never told anything, takes the run
 * over and ends it `stopped`.
 */
describe('a stop asked on one node is honoured by the node that drives the run (Postgres)', () => {
  let database: TestDatabase;
  let model: ScriptedModelServer;
  let otherDir: string;
  const nodes: Paddock[] = [];
  const secretKey = randomBytes(32).toString('hex');
  const node = async (dataDir: string) => {
    const config = testServerConfig(dataDir, {
      databaseUrl: database.url,
      secretKey,
      sandboxDriver: 'process',
      anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' },
    });
    const paddock = await createPaddock({
      config,
      store: await database.open(),
      harness: { workflows: { pollMs: 50 }, retry: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 3 } },
    });
    nodes.push(paddock);
    return paddock;
  };
  before(async () => {
    database = await createTestDatabase('postgres');
    model = await startScriptedModelServer({ turns: [] });
    otherDir = await mkdtemp(join(tmpdir(), 'paddock-workflow-node-'));
  });
  after(async () => {
    for (const paddock of nodes) await paddock.close();
    await model.close();
    await database.drop();
    await rm(otherDir, { recursive: true, force: true });
  });

  it('ends the run stopped from the row', async () => {
    const nodeA = await node(database.dataDir);
    const client = new Anthropic({ baseURL: await nodeA.listen(), apiKey: TEST_ADMIN_KEY, maxRetries: 0 });
    const session = await workflowAgent(client, 'fleet-stop', {
      tools: [ASK_HUMAN],
    });
    await startWaitingRun(client, model, session.id, { ask: 'Ask and wait', marker: 'FLEET-ASK' });
    const waiting = await collectUntil(client, session.id, (all) =>
      all.some((event) => event.type === 'workflow_run.status_idle'),
    );
    const runId = String(waiting.find((event) => event.type === 'workflow_run.created')?.['workflow_run_id']);
    // A drives runs no more: the run stays open, its lease released.
    await nodeA.harness.workflowRuns.stop();

    model.push([
      {
        match: 'Stop the run',
        content: [{ type: 'tool_use', name: 'stop_workflow_run', input: { workflow_run_id: runId } }],
      },
      { match: 'Stopping workflow run', content: [{ type: 'text', text: 'STOP-ASKED' }] },
      { match: 'ended: stopped', content: [{ type: 'text', text: 'STOPPED-NOTED' }] },
    ]);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'Stop the run' }] }],
    });
    const asked = await collectUntil(client, session.id, (all) =>
      all.some(
        (event) => event.type === 'agent.message' && JSON.stringify(event.content).includes('STOP-ASKED'),
      ),
    );
    assert.ok(
      !asked.some((event) => event.type === 'workflow_run.status_ended'),
      'no node drives the run yet',
    );

    // B shares the database only: it finds the open run and the stop on its row.
    const nodeB = await node(otherDir);
    await nodeB.startHarness();
    const events = await collectUntil(client, session.id, (all) =>
      all.some(
        (event) => event.type === 'agent.message' && JSON.stringify(event.content).includes('STOPPED-NOTED'),
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
        'workflow_run.phase_ended',
        'workflow_run.status_ended',
      ],
    );
    assert.deepEqual(run[5]?.['result'], { type: 'stopped' });
    // The run's waiting thread was stopped with it.
    const threadId = events.find((event) => event.type === 'session.thread_created')?.['session_thread_id'];
    assert.ok(
      events.some(
        (event) =>
          event.type === 'session.thread_status_terminated' && event['session_thread_id'] === threadId,
      ),
    );
  });
});
