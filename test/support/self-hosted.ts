import Anthropic, { APIError } from '@anthropic-ai/sdk';
import type { HarnessFixture } from './harness-fixture.js';

export type EnvironmentKeyResponse = { id: string; environment_id: string; key: string };

/** A client holding a worker credential (environment key or sessions token) instead of an API key. */
export const workerClient = (url: string, credential: string) =>
  new Anthropic({ baseURL: url, authToken: credential, apiKey: null, maxRetries: 0, logLevel: 'off' });

/** An agent with the built-in toolset, a self_hosted environment, its key, and a session there. */
export async function selfHostedSession(fixture: HarnessFixture) {
  const { client } = fixture;
  const agent = await client.beta.agents.create({
    name: 'Self-hosted Developer',
    model: 'claude-sonnet-4-6',
    tools: [{ type: 'agent_toolset_20260401' }],
  });
  const environment = await client.beta.environments.create({
    name: `self-hosted-${Math.random().toString(36).slice(2)}`,
    config: { type: 'self_hosted' },
  });
  const issued = await client.post<EnvironmentKeyResponse>(`/v1/environments/${environment.id}/keys`, {
    body: {},
  });
  const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
  return { agent, environment, session, environmentKey: issued.key };
}

/** The HTTP status a call ends with (200 for any success). */
export async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof APIError) return error.status;
    throw error;
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
