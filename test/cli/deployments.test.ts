import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createScriptedProvider } from '../../src/providers/scripted/scripted-provider.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';
import { runInProcess } from './cli-process.js';

/** `paddock deployments list|run|runs`, against a real server (SQLite, scripted model). */
describe('paddock deployments', () => {
  let server: TestServer;
  let cli: (args: string[]) => Promise<{ code: number; output: string }>;
  before(async () => {
    server = await startTestServer(
      'sqlite',
      { modelRoutes: { '*': 'scripted' } },
      { providers: { scripted: createScriptedProvider() } },
    );
    cli = (args) => runInProcess([...args, '--base-url', server.url, '--api-key', TEST_ADMIN_KEY]);
  });
  after(async () => server.close());

  it('lists deployments, runs one and lists its runs', async () => {
    const { client } = server;
    const agent = await client.beta.agents.create({ name: 'cli', model: 'claude-haiku-4-5' });
    const environment = await client.beta.environments.create({ name: 'cli-env' });
    const deployment = await client.beta.deployments.create({
      name: 'nightly',
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
      schedule: { type: 'cron', expression: '0 3 * * *', timezone: 'UTC' },
    });
    const listed = await cli(['deployments', 'list']);
    assert.equal(listed.code, 0, listed.output);
    assert.match(
      listed.output,
      new RegExp(`${deployment.id}\\s+nightly\\s+active\\s+0 3 \\* \\* \\* \\(UTC\\)`),
    );

    const ran = await cli(['deployments', 'run', deployment.id]);
    assert.equal(ran.code, 0, ran.output);
    const [, runId, sessionId] = /started run (drun_\w+): session (sesn_\w+)/.exec(ran.output) ?? [];
    assert.ok(runId && sessionId, ran.output);
    assert.equal((await client.beta.sessions.retrieve(sessionId)).deployment_id, deployment.id);

    const runs = await cli(['deployments', 'runs', deployment.id]);
    assert.equal(runs.code, 0, runs.output);
    assert.match(runs.output, new RegExp(`${runId}\\s+manual\\s+\\w+\\s+${sessionId}`));

    const missing = await cli(['deployments', 'run', 'depl_missing']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.output, /not found/i);
  });
});
