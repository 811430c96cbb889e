import type Anthropic from '@anthropic-ai/sdk';
import type { PaddockConfig } from '../../src/config/config.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import type { HarnessTuning } from '../../src/server.js';
import type { Dialect } from './databases.js';
import { startTestServer, type TestServer } from './server.js';

export interface HarnessFixture {
  server: TestServer;
  model: ScriptedModelServer;
  client: Anthropic;
  close(): Promise<void>;
}

/**
 * A real Paddock whose Anthropic upstream is the scripted Messages API server
 * (test mode), with the process sandbox driver so tool tests run anywhere.
 */
export async function startHarnessFixture(
  dialect: Dialect,
  turns: ScriptedTurn[] = [],
  tuning: HarnessTuning = {},
  config: Partial<PaddockConfig> = {},
): Promise<HarnessFixture> {
  const model = await startScriptedModelServer({ turns });
  const server = await startTestServer(
    dialect,
    { anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' }, sandboxDriver: 'process', ...config },
    { retry: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 3 }, ...tuning },
  );
  return {
    server,
    model,
    client: server.client,
    async close() {
      await server.close();
      await model.close();
    },
  };
}

/** Creates the guide's agent + environment + session trio. */
export async function createSession(
  client: Anthropic,
  agentOverrides: Partial<Parameters<Anthropic['beta']['agents']['create']>[0]> = {},
) {
  const agent = await client.beta.agents.create({
    name: 'Python Developer',
    model: 'claude-sonnet-4-6',
    system: 'You are an expert Python developer.',
    tools: [{ type: 'agent_toolset_20260401' }],
    ...agentOverrides,
  });
  const environment = await client.beta.environments.create({
    name: `env-${Math.random().toString(36).slice(2)}`,
    config: { type: 'cloud', networking: { type: 'unrestricted' } },
  });
  const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
  return { agent, environment, session };
}

// Tests read event fields freely; the SDK's own types are checked in the API tests.
// biome-ignore lint/suspicious/noExplicitAny: test helper over heterogeneous wire events
export type StreamEvent = { type: string; id?: string; [key: string]: any };

/**
 * One live SDK stream read in pieces: `until` consumes events up to and
 * including the first that matches. (An SDK Stream can be iterated once.)
 */
export interface EventReader {
  until(predicate: (event: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent[]>;
  close(): void;
}

export async function openEventReader(client: Anthropic, sessionId: string): Promise<EventReader> {
  const stream = await client.beta.sessions.events.stream(sessionId);
  const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return {
    async until(predicate, timeoutMs = 15_000) {
      const seen: StreamEvent[] = [];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const remaining = deadline - Date.now();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timed out; saw ${seen.map((event) => event.type).join(', ')}`)),
            Math.max(1, remaining),
          );
        });
        const next = await Promise.race([iterator.next(), timeout]).finally(() => clearTimeout(timer));
        if (next.done) throw new Error(`stream ended; saw ${seen.map((event) => event.type).join(', ')}`);
        const event = next.value as StreamEvent;
        seen.push(event);
        if (predicate(event)) return seen;
      }
    },
    close() {
      stream.controller.abort();
    },
  };
}

export const isIdle = (event: StreamEvent) => event.type === 'session.status_idle';

/** Sends one user message and reads the session's stream until it is idle again. */
export async function runTurn(client: Anthropic, sessionId: string, text = 'go'): Promise<StreamEvent[]> {
  const stream = await openEventReader(client, sessionId);
  try {
    await client.beta.sessions.events.send(sessionId, {
      events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
    });
    return await stream.until(isIdle);
  } finally {
    stream.close();
  }
}
