import type Anthropic from '@anthropic-ai/sdk';
import type { Call, Context } from './conformance-calls.js';

/** Conformance builders for client.beta.deployments and client.beta.deploymentRuns (docs/deployments.md). */
export const DEPLOYMENT_CALLS: Record<string, Call> = {
  'beta.deployments.create': async (c) => newDeployment(c),
  'beta.deployments.retrieve': async (c) => c.client.beta.deployments.retrieve((await newDeployment(c)).id),
  'beta.deployments.update': async (c) =>
    c.client.beta.deployments.update((await newDeployment(c)).id, { description: 'updated' }),
  'beta.deployments.list': async (c) => {
    await newDeployment(c);
    return c.client.beta.deployments.list();
  },
  'beta.deployments.archive': async (c) => c.client.beta.deployments.archive((await newDeployment(c)).id),
  'beta.deployments.pause': async (c) => c.client.beta.deployments.pause((await newDeployment(c)).id),
  'beta.deployments.unpause': async (c) => {
    const deployment = await newDeployment(c);
    await c.client.beta.deployments.pause(deployment.id);
    return c.client.beta.deployments.unpause(deployment.id);
  },
  'beta.deployments.run': async (c) => c.client.beta.deployments.run((await newDeployment(c)).id),
  'beta.deploymentRuns.retrieve': async (c) =>
    c.client.beta.deploymentRuns.retrieve(
      (await c.client.beta.deployments.run((await newDeployment(c)).id)).id,
    ),
  'beta.deploymentRuns.list': async (c) => {
    await c.client.beta.deployments.run((await newDeployment(c)).id);
    return c.client.beta.deploymentRuns.list();
  },
};

async function newDeployment(c: Context): Promise<Anthropic.Beta.Deployments.BetaManagedAgentsDeployment> {
  return c.client.beta.deployments.create({
    name: 'conformance',
    agent: (await c.agent()).id,
    environment_id: (await c.environment()).id,
    initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'conformance' }] }],
    schedule: { type: 'cron', expression: '0 9 * * 1-5', timezone: 'UTC' },
  });
}
