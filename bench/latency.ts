import type Anthropic from '@anthropic-ai/sdk';
import { percentile } from './stats.js';
import { atMost, type BenchResult, info } from './table.js';

/** The requests that warm a fresh server (and that the RSS figure is taken after). */
export async function warmUp(client: Anthropic): Promise<{ agentId: string; environmentId: string }> {
  const agent = await client.beta.agents.create({ name: 'bench-warm', model: 'claude-sonnet-4-6' });
  const environment = await client.beta.environments.create({
    name: `bench-${Date.now()}`,
    config: { type: 'cloud', networking: { type: 'unrestricted' } },
  });
  await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
  for await (const _agent of client.beta.agents.list()) break;
  return { agentId: agent.id, environmentId: environment.id };
}

async function sample(iterations: number, fn: (index: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const started = performance.now();
    await fn(index);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Sequential create calls over the official SDK: one client, keep-alive, loopback. */
export async function benchCreateLatency(client: Anthropic, iterations = 300): Promise<BenchResult[]> {
  const { agentId, environmentId } = await warmUp(client);
  const agents = await sample(iterations, (index) =>
    client.beta.agents.create({ name: `bench-agent-${index}`, model: 'claude-sonnet-4-6' }),
  );
  const sessions = await sample(iterations, () =>
    client.beta.sessions.create({ agent: agentId, environment_id: environmentId }),
  );
  return [
    info('agent create p50 (SDK)', percentile(agents, 50), 'ms'),
    info('agent create p99 (SDK)', percentile(agents, 99), 'ms'),
    atMost('session create p50 (SDK)', percentile(sessions, 50), 'ms', 5),
    info('session create p99 (SDK)', percentile(sessions, 99), 'ms'),
  ];
}
