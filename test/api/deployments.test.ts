import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  createScriptedProvider,
  type ScriptedProvider,
} from '../../src/providers/scripted/scripted-provider.js';
import { DIALECTS } from '../support/databases.js';
import { all } from '../support/sdk-results.js';
import { startTestServer, type TestServer } from '../support/server.js';

type Run = Anthropic.Beta.DeploymentRuns.BetaManagedAgentsDeploymentRun & {
  status: string;
  status_reason: string | null;
  cost: { amount: string; currency: string } | null;
};

/** Polls until `check` holds; the deadline is generous (a busy 2-core CI machine). */
async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const message = (text: string) => ({
  type: 'user.message' as const,
  content: [{ type: 'text' as const, text }],
});

/** The 400's message, which must name the field. */
async function badRequest(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail('expected a 400'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof Anthropic.BadRequestError, String(error));
  return error.message;
}

for (const dialect of DIALECTS) {
  describe(`deployments over the SDK (${dialect})`, () => {
    let server: TestServer;
    let model: ScriptedProvider;
    let agentId: string;
    let environmentId: string;

    before(async () => {
      model = createScriptedProvider();
      server = await startTestServer(
        dialect,
        { modelRoutes: { '*': 'scripted' } },
        { providers: { scripted: model }, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
      );
      const agent = await server.client.beta.agents.create({ name: 'nightly', model: 'claude-haiku-4-5' });
      agentId = agent.id;
      environmentId = (await server.client.beta.environments.create({ name: `deploy-${dialect}` })).id;
    });
    after(async () => server.close());

    it('creates, retrieves, updates, lists and archives a deployment', async () => {
      const deployments = server.client.beta.deployments;
      const created = await deployments.create({
        name: 'Weekly scan',
        agent: agentId,
        environment_id: environmentId,
        initial_events: [message('Run the weekly scan.')],
        metadata: { team: 'sec' },
        schedule: { type: 'cron', expression: '0 20 * * 5', timezone: 'America/New_York' },
      });
      assert.match(created.id, /^depl_/);
      assert.equal(created.type, 'deployment');
      assert.deepEqual(created.agent, { type: 'agent', id: agentId, version: 1 });
      assert.equal(created.status, 'active');
      assert.equal(created.paused_reason, null);
      assert.equal(created.description, null);
      assert.deepEqual(created.vault_ids, []);
      assert.deepEqual(created.resources, []);
      assert.equal(created.schedule?.last_run_at, null);
      const upcoming = created.schedule?.upcoming_runs_at ?? [];
      assert.equal(upcoming.length, 5);
      // Friday 20:00 in New York is Saturday 00:00 or 01:00 UTC, depending on DST.
      for (const at of upcoming) assert.match(at, /T0[01]:00:00\.000Z$/);
      assert.deepEqual(await deployments.retrieve(created.id), created);

      const updated = await deployments.update(created.id, {
        description: 'Scans every repository',
        metadata: { team: null, owner: 'ana' },
        schedule: null,
      });
      assert.equal(updated.description, 'Scans every repository');
      assert.deepEqual(updated.metadata, { owner: 'ana' });
      assert.equal(updated.schedule, null);
      assert.equal(updated.name, 'Weekly scan');

      const listed = await all(deployments.list({ agent_id: agentId }));
      assert.ok(listed.some((d) => d.id === created.id));
      assert.equal((await all(deployments.list({ agent_id: 'agent_none' }))).length, 0);

      const archived = await deployments.archive(created.id);
      assert.ok(archived.archived_at);
      assert.equal(archived.status, 'active');
      assert.ok(!(await all(deployments.list())).some((d) => d.id === created.id));
      assert.ok((await all(deployments.list({ include_archived: true }))).some((d) => d.id === created.id));
      await badRequest(deployments.update(created.id, { name: 'again' }));
      await badRequest(deployments.run(created.id));
      await assert.rejects(deployments.retrieve('depl_missing'), Anthropic.NotFoundError);
    });

    it('refuses bad schedules, names and references with a 400 naming the field', async () => {
      const base = {
        name: 'x',
        agent: agentId,
        environment_id: environmentId,
        initial_events: [message('go')],
      };
      const deployments = server.client.beta.deployments;
      const cron = (expression: string, timezone = 'UTC') =>
        deployments.create({ ...base, schedule: { type: 'cron', expression, timezone } });
      for (const expression of ['* * * *', '61 * * * *', '@daily', '0 0 L * *', '0 0 * * 1#2', '* * * * * *'])
        assert.match(await badRequest(cron(expression)), /schedule\.expression/, expression);
      assert.match(await badRequest(cron('0 9 * * 1-5', 'Mars/Olympus')), /schedule\.timezone/);
      assert.match(await badRequest(cron('0 9 * * 1-5', '')), /schedule\.timezone/);
      assert.match(await badRequest(deployments.create({ ...base, initial_events: [] })), /initial_events/);
      assert.match(await badRequest(deployments.create({ ...base, name: '' })), /name/);
      await assert.rejects(
        deployments.create({ ...base, environment_id: 'env_missing' }),
        Anthropic.NotFoundError,
      );
      await assert.rejects(deployments.create({ ...base, agent: 'agent_missing' }), Anthropic.NotFoundError);
      assert.match(
        await badRequest(deployments.list({ status: 'paused', include_archived: true })),
        /status/,
      );
    });

    it('pauses and unpauses; a manual run still works while paused', async () => {
      const deployments = server.client.beta.deployments;
      const deployment = await deployments.create({
        name: 'Paused',
        agent: agentId,
        environment_id: environmentId,
        initial_events: [message('paused-run')],
        schedule: { type: 'cron', expression: '*/5 * * * *', timezone: 'Europe/Berlin' },
      });
      const paused = await deployments.pause(deployment.id);
      assert.equal(paused.status, 'paused');
      assert.deepEqual(paused.paused_reason, { type: 'manual' });
      // Paused still shows what the schedule would do.
      assert.equal(paused.schedule?.upcoming_runs_at?.length, 5);
      assert.equal(
        (await all(deployments.list({ status: 'paused' }))).filter((d) => d.id === deployment.id).length,
        1,
      );
      assert.equal(
        (await all(deployments.list({ status: 'active' }))).filter((d) => d.id === deployment.id).length,
        0,
      );
      const run = await deployments.run(deployment.id);
      assert.ok(run.session_id);
      const unpaused = await deployments.unpause(deployment.id);
      assert.equal(unpaused.status, 'active');
      assert.equal(unpaused.paused_reason, null);
    });

    it('runs manually: a session from the template, its status and its cost', async () => {
      model.push([
        {
          match: 'Fix the failing build',
          content: [{ type: 'text', text: 'Fixed it.' }],
          // $1 + $0.50 at claude-haiku-4-5's list price: 150 (amounts are in cents).
          usage: { input_tokens: 1_000_000, output_tokens: 100_000 },
        },
      ]);
      const { client } = server;
      const deployment = await client.beta.deployments.create({
        name: 'Self-healing CI',
        agent: agentId,
        environment_id: environmentId,
        initial_events: [message('Fix the failing build of main.')],
        metadata: { source: 'ci' },
      });
      const run = (await client.beta.deployments.run(deployment.id)) as Run;
      assert.match(run.id, /^drun_/);
      assert.equal(run.type, 'deployment_run');
      assert.equal(run.deployment_id, deployment.id);
      assert.deepEqual(run.trigger_context, { type: 'manual' });
      assert.deepEqual(run.agent, deployment.agent);
      assert.equal(run.error, null);
      assert.equal(run.status, 'started');
      const sessionId = run.session_id;
      assert.ok(sessionId);
      const session = await client.beta.sessions.retrieve(sessionId);
      assert.equal(session.deployment_id, deployment.id);
      assert.deepEqual(session.metadata, { source: 'ci' });
      const events = await client.beta.sessions.events.list(sessionId);
      assert.ok(events.data.some((event) => event.type === 'user.message'));

      // The scheduler's reconcile pass records the outcome (the test runs one pass at a time).
      const finished = await until(
        'the run to succeed',
        async () => {
          await server.paddock.deploymentScheduler.tick();
          return (await client.beta.deploymentRuns.retrieve(run.id)) as Run;
        },
        (current) => current.status !== 'started',
      );
      assert.equal(finished.status, 'succeeded', JSON.stringify(finished));
      assert.ok(finished.cost, 'a finished run has a cost');
      assert.ok(Number(finished.cost.amount) >= 150, JSON.stringify(finished.cost));
      assert.equal(finished.cost.currency, 'USD');

      const bySession = await all(client.beta.sessions.list({ deployment_id: deployment.id }));
      assert.deepEqual(
        bySession.map((s) => s.id),
        [sessionId],
      );
      assert.equal((await all(client.beta.sessions.list({ deployment_id: 'depl_none' }))).length, 0);

      const runs = await all(client.beta.deploymentRuns.list({ deployment_id: deployment.id }));
      assert.deepEqual(
        runs.map((r) => r.id),
        [run.id],
      );
      assert.equal(
        (await all(client.beta.deploymentRuns.list({ deployment_id: deployment.id, has_error: true })))
          .length,
        0,
      );
      assert.equal(
        (
          await all(
            client.beta.deploymentRuns.list({ deployment_id: deployment.id, trigger_type: 'schedule' }),
          )
        ).length,
        0,
      );
      assert.equal((await all(client.beta.deploymentRuns.list({ deployment_id: 'depl_none' }))).length, 0);
      await assert.rejects(client.beta.deploymentRuns.retrieve('drun_missing'), Anthropic.NotFoundError);
    });

    it('records a failed run when the session cannot be created', async () => {
      const { client } = server;
      const environment = await client.beta.environments.create({ name: `doomed-${dialect}` });
      const deployment = await client.beta.deployments.create({
        name: 'Doomed',
        agent: agentId,
        environment_id: environment.id,
        initial_events: [message('never')],
      });
      await client.beta.environments.archive(environment.id);
      const run = (await client.beta.deployments.run(deployment.id)) as Run;
      assert.equal(run.session_id, null);
      assert.equal(run.error?.type, 'environment_archived_error');
      assert.equal(run.status, 'failed');
      const failed = await all(
        client.beta.deploymentRuns.list({ deployment_id: deployment.id, has_error: true }),
      );
      assert.deepEqual(
        failed.map((r) => r.id),
        [run.id],
      );
      // A manual failure does not pause the deployment (only scheduled fires do).
      assert.equal((await client.beta.deployments.retrieve(deployment.id)).status, 'active');
    });
  });
}
