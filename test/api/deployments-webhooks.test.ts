import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createScriptedProvider } from '../../src/providers/scripted/scripted-provider.js';
import { DIALECTS } from '../support/databases.js';
import {
  type ManualClock,
  manualClock,
  until,
  unwrapAll,
  webhookSuite,
} from '../support/webhook-receiver.js';

const MINUTE = 60_000;

/** deployment.* and deployment_run.* reach a subscribed endpoint, verified by webhooks.unwrap. */
for (const dialect of DIALECTS) {
  describe(`deployment webhooks (${dialect})`, () => {
    // Near real time: unwrap refuses timestamps more than five minutes off the receiver's clock.
    const clock: ManualClock = manualClock(Math.floor(Date.now() / MINUTE) * MINUTE + 30_000);
    const suite = webhookSuite(dialect, () => ({
      clock,
      allowPrivateNetworks: true,
      model: createScriptedProvider(),
    }));

    it('publishes lifecycle events, and started/succeeded for scheduled runs only', async () => {
      const { server, receiver } = suite;
      const { client } = server;
      const endpoint = await client.beta.organization.webhooks.create({
        url: receiver.url,
        enabled_events: [
          'deployment.created',
          'deployment.paused',
          'deployment.unpaused',
          'deployment.archived',
          'deployment_run.started',
          'deployment_run.succeeded',
          'deployment_run.failed',
        ] as never,
      });
      const agent = await client.beta.agents.create({ name: 'hooked', model: 'claude-haiku-4-5' });
      const environment = await client.beta.environments.create({ name: `hooked-${dialect}` });
      const deployment = await client.beta.deployments.create({
        name: 'hooked',
        agent: agent.id,
        environment_id: environment.id,
        initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'tick' }] }],
        schedule: { type: 'cron', expression: '* * * * *', timezone: 'UTC' },
      });
      const manual = await client.beta.deployments.run(deployment.id);
      const scheduler = server.paddock.deploymentScheduler;
      // The manual run ends first: a tick while its session works would be skipped (no overlap).
      await until(
        'the manual run to end',
        async () => {
          await scheduler.tick();
          return (await client.beta.deploymentRuns.retrieve(manual.id)) as unknown as { status: string };
        },
        (run) => run.status !== 'started',
      );
      clock.advance(MINUTE);
      const runs = await until(
        'the scheduled run to succeed',
        async () => {
          await scheduler.tick();
          return (await client.beta.deploymentRuns.list({ deployment_id: deployment.id }))
            .data as unknown as Array<{
            id: string;
            status: string;
            trigger_context: { type: string };
          }>;
        },
        (list) => list.some((run) => run.trigger_context.type === 'schedule' && run.status === 'succeeded'),
      );
      const scheduled = runs.find((run) => run.trigger_context.type === 'schedule');
      await client.beta.deployments.pause(deployment.id);
      await client.beta.deployments.unpause(deployment.id);
      await client.beta.deployments.archive(deployment.id);

      const events = await until(
        'the deliveries',
        async () => unwrapAll(client, receiver, endpoint.signing_secret),
        (list) => list.length >= 6,
      );
      const seen = events.map((event) => `${event.data.type} ${event.data.id}`).sort();
      assert.deepEqual(
        seen,
        [
          `deployment.archived ${deployment.id}`,
          `deployment.created ${deployment.id}`,
          `deployment.paused ${deployment.id}`,
          `deployment.unpaused ${deployment.id}`,
          `deployment_run.started ${scheduled?.id}`,
          `deployment_run.succeeded ${scheduled?.id}`,
        ].sort(),
      );
      assert.ok(
        !seen.some((line) => line.includes(manual.id)),
        'a manual run emits no deployment_run.* event',
      );
    });
  });
}
