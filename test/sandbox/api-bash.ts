import { rm } from 'node:fs/promises';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxDriver } from '../../src/core/ports/sandbox.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import type { CreateOptions, DriverCase } from './drivers.js';

/** A real server over the scripted model whose sessions run in a real bwrap driver. */
export interface ApiSandbox {
  fixture: HarnessFixture;
  driver: SandboxDriver;
  config: PaddockConfig;
  /** A new session in a new environment with this networking. */
  newSession(networking: 'limited' | 'unrestricted'): Promise<string>;
  /** One turn in which the model calls bash once per input; the tool results' texts, in order. */
  bashTurn(sessionId: string, inputs: Array<Record<string, unknown>>): Promise<string[]>;
  close(): Promise<void>;
}

export async function startApiSandbox(bwrap: DriverCase, options?: CreateOptions): Promise<ApiSandbox> {
  const { driver, config } = await bwrap.create(options);
  const fixture = await startHarnessFixture('sqlite', [], { sandboxes: driver });
  const { client, model } = fixture;
  return {
    fixture,
    driver,
    config,
    async newSession(networking) {
      const agent = await client.beta.agents.create({
        name: 'Sandbox probe',
        model: 'claude-sonnet-4-6',
        tools: [{ type: 'agent_toolset_20260401' }],
      });
      const environment = await client.beta.environments.create({
        name: `env-${Math.random().toString(36).slice(2)}`,
        config: { type: 'cloud', networking: { type: networking } },
      });
      return (await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id })).id;
    },
    async bashTurn(sessionId, inputs) {
      model.push([
        ...inputs.map((input) => ({ content: [{ type: 'tool_use' as const, name: 'bash', input }] })),
        { content: [{ type: 'text' as const, text: 'done' }] },
      ]);
      const reader = await openEventReader(client, sessionId);
      try {
        await client.beta.sessions.events.send(sessionId, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
        });
        const events = await reader.until(isIdle, 180_000);
        return events
          .filter((event) => event.type === 'agent.tool_result')
          .map((event) =>
            (event.content as Array<{ text?: string }>).map((block) => block.text ?? '').join(''),
          );
      } finally {
        reader.close();
      }
    },
    async close() {
      await fixture.close();
      await driver.close();
      await rm(config.dataDir, { recursive: true, force: true });
    },
  };
}
