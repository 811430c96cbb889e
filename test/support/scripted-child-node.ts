import Anthropic from '@anthropic-ai/sdk';
import type { ScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import { createTestDatabase, type Dialect, type TestDatabase } from './databases.js';
import type { StreamEvent } from './harness-fixture.js';
import { childEnv, freePort, type PaddockProcess, spawnPaddock } from './paddock-process.js';

/**
 * A real `paddock serve` in a child process over a fresh test database, answered by the scripted
 * model, for the kill -9 and restart tests: the child can be killed and started again on the same
 * data dir, database and port.
 */
export interface ScriptedChildNode {
  database: TestDatabase;
  env: Record<string, string>;
  adminKey: string;
  process: PaddockProcess;
  /** The official SDK pointed at the current process. */
  client: Anthropic;
}

/** The child's environment: process sandboxes, the scripted model upstream, a short lease. */
export async function scriptedChildEnv(
  dialect: Dialect,
  database: TestDatabase,
  model: ScriptedModelServer,
  adminKey: string,
): Promise<Record<string, string>> {
  return childEnv({
    PADDOCK_DATA_DIR: database.dataDir,
    PADDOCK_PORT: String(await freePort()),
    PADDOCK_HOST: '127.0.0.1',
    PADDOCK_ADMIN_KEY: adminKey,
    PADDOCK_ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'test-upstream-key',
    PADDOCK_SANDBOX: 'process',
    // Short, so a Postgres node (random lease owner) takes over a dead node's session quickly.
    PADDOCK_LEASE_TTL_MS: '2000',
    ...(dialect === 'postgres' ? { PADDOCK_DATABASE_URL: database.url } : {}),
  });
}

export async function startScriptedChildNode(
  dialect: Dialect,
  model: ScriptedModelServer,
  adminKey: string,
): Promise<ScriptedChildNode> {
  const database = await createTestDatabase(dialect);
  const env = await scriptedChildEnv(dialect, database, model, adminKey);
  const child = await spawnPaddock(env);
  return { database, env, adminKey, process: child, client: childClient(child.url, adminKey) };
}

/** Same data dir, database and port: only the process (and the client pointed at it) is new. */
export async function restartChildNode(node: ScriptedChildNode): Promise<void> {
  node.process = await spawnPaddock(node.env);
  node.client = childClient(node.process.url, node.adminKey);
}

/** No retries: a dead child must show as an error, not be papered over. */
export function childClient(url: string, adminKey: string): Anthropic {
  return new Anthropic({ baseURL: url, apiKey: adminKey, maxRetries: 0 });
}

/** Every event of the session, in order, through the SDK's paging. */
export async function listSessionEvents(client: Anthropic, sessionId: string): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId)) events.push(event as StreamEvent);
  return events;
}
