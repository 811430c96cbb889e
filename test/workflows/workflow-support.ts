import type Anthropic from '@anthropic-ai/sdk';
import type { StreamEvent } from '../support/harness-fixture.js';

/** A custom tool whose result only the client gives: a thread calling it waits on the client. */
export const ASK_HUMAN = {
  type: 'custom' as const,
  name: 'ask_human',
  description: 'Ask a person',
  input_schema: { type: 'object' as const, properties: {} },
};

/** A session whose agent may start workflow runs (multiagent_20261001, workflows enabled). */
export async function workflowAgent(
  client: Anthropic,
  name: string,
  extra: Partial<Parameters<Anthropic['beta']['agents']['create']>[0]> = {},
) {
  const agent = await client.beta.agents.create({
    name: `Planner ${name}`,
    model: 'claude-sonnet-4-6',
    system: 'You plan work and run workflows.',
    multiagent: {
      type: 'multiagent_20261001',
      workflows: { type: 'enabled' },
      subagents: { type: 'disabled' },
    },
    ...extra,
  });
  const environment = await client.beta.environments.create({ name: `wf-${name}` });
  return client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
}

/** Every event of the session so far (all threads), in order. */
export async function allEvents(client: Anthropic, sessionId: string): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId, { limit: 1000 }))
    events.push(event as unknown as StreamEvent);
  return events;
}

/** Polls the log (the wait is not the assertion) until `done` holds, with a generous deadline. */
export async function collectUntil(
  client: Anthropic,
  sessionId: string,
  done: (events: StreamEvent[]) => boolean,
  timeoutMs = 90_000,
): Promise<StreamEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await allEvents(client, sessionId);
    if (done(events)) return events;
    if (Date.now() > deadline)
      throw new Error(`timed out; saw ${events.map((event) => event.type).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const workflowEvents = (events: StreamEvent[]) =>
  events.filter((event) => event.type.startsWith('workflow_run.'));
