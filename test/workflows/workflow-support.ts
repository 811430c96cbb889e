import type Anthropic from '@anthropic-ai/sdk';
import type { ScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
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

type ScriptedReplies = Parameters<ScriptedModelServer['push']>[0];

/**
 * Scripts a run (one phase `Ask`) whose only thread calls `ask_human` and so waits on the client,
 * then sends `ask` as the user message that makes the agent start it. `after` are replies the
 * test needs once the person has answered.
 */
export async function startWaitingRun(
  client: Anthropic,
  model: Pick<ScriptedModelServer, 'push'>,
  sessionId: string,
  options: { ask: string; marker: string; name?: string; program?: string; after?: ScriptedReplies },
): Promise<void> {
  const program = options.program ?? `await phase('Ask', () => agent('${options.marker}'))`;
  model.push([
    {
      match: options.ask,
      content: [
        {
          type: 'tool_use',
          name: 'start_workflow_run',
          input: { name: options.name ?? 'waiter', phases: [{ name: 'Ask' }], program },
        },
      ],
    },
    { match: 'Started workflow run', content: [{ type: 'text', text: 'Started.' }] },
    { match: options.marker, content: [{ type: 'tool_use', name: 'ask_human', input: {} }] },
    ...(options.after ?? []),
  ]);
  await client.beta.sessions.events.send(sessionId, {
    events: [{ type: 'user.message', content: [{ type: 'text', text: options.ask }] }],
  });
}
