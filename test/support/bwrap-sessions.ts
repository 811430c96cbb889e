import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../../src/config/config.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { bwrapCase, TEST_ROOTFS_DIR } from '../sandbox/drivers.js';
import type { Dialect } from './databases.js';
import type { StreamEvent } from './harness-fixture.js';
import { startTestServer, type TestServer } from './server.js';

/**
 * What the sandbox tests that drive whole sessions through real bwrap sandboxes share: a scripted
 * model, a server whose sessions run in bwrap over the test rootfs, and an agent with the toolset
 * in a limited-network environment.
 */

export interface BwrapSessionServer {
  model: ScriptedModelServer;
  server: TestServer;
}

/**
 * Starts the scripted model and a server over it with the bwrap driver. Sandboxes are torn down as
 * soon as they idle (PADDOCK_SANDBOX_IDLE_MS 0); `sandboxEnvironment` adds other sandbox settings.
 */
export async function startBwrapSessionServer(
  dialect: Dialect = 'sqlite',
  sandboxEnvironment: Record<string, string> = {},
): Promise<BwrapSessionServer> {
  const model = await startScriptedModelServer({ turns: [] });
  const sandbox = loadConfig({
    PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR,
    PADDOCK_SANDBOX_IDLE_MS: '0',
    ...sandboxEnvironment,
  }).sandbox;
  const server = await startTestServer(dialect, {
    anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' },
    sandboxDriver: 'bwrap',
    sandbox,
  });
  return { model, server };
}

/** Why whole bwrap sessions cannot run on this machine (no bwrap, or not root), else undefined. */
export async function bwrapSessionSkip(): Promise<string | undefined> {
  const bwrap = await bwrapCase();
  return bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'runs the bwrap driver as root');
}

/** For a describe block: startBwrapSessionServer before its tests, both closed after them. */
export function bwrapSessionSuite(
  dialect: Dialect = 'sqlite',
  sandboxEnvironment: Record<string, string> = {},
): BwrapSessionServer {
  const suite = {} as BwrapSessionServer;
  before(async () => {
    Object.assign(suite, await startBwrapSessionServer(dialect, sandboxEnvironment));
  });
  after(async () => {
    await suite.server?.close();
    await suite.model?.close();
  });
  return suite;
}

/** An agent with the agent toolset, on the scripted model's model name. */
export function createToolsetAgent(
  client: Anthropic,
  name: string,
  extra: Partial<Parameters<Anthropic['beta']['agents']['create']>[0]> = {},
) {
  return client.beta.agents.create({
    name,
    model: 'claude-sonnet-4-6',
    tools: [{ type: 'agent_toolset_20260401' }],
    ...extra,
  });
}

/** A cloud environment with limited networking, under a unique name starting with `prefix`. */
export function createLimitedEnvironment(client: Anthropic, prefix: string) {
  return client.beta.environments.create({
    name: `${prefix}-${Math.random().toString(36).slice(2)}`,
    config: { type: 'cloud', networking: { type: 'limited' } },
  });
}

/** The text of the turn's first tool result (the bash output). */
export function toolOutput(events: StreamEvent[]): string {
  const result = events.find((event) => event.type === 'agent.tool_result');
  assert.ok(result, `no tool result in ${JSON.stringify(events.map((e) => e.type))}`);
  return JSON.stringify(result['content']);
}
