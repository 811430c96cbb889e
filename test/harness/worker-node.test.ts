import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createSession, isIdle, openEventReader } from '../support/harness-fixture.js';
import {
  childEnv,
  freePort,
  type PaddockProcess,
  spawnPaddock,
  spawnWorker,
} from '../support/paddock-process.js';

/**
 * A fleet in miniature: an API node that drives no sessions (PADDOCK_HARNESS=false) and a
 * `paddock worker` with its own data directory, sharing one Postgres database and secret key.
 * The SDK talks only to the API node.
 */
const ADMIN_KEY = 'sk-paddock-fleet-test';

describe('API node + paddock worker on one Postgres', () => {
  let model: ScriptedModelServer;
  let database: TestDatabase;
  let workerDir: string;
  let api: PaddockProcess;
  let worker: Awaited<ReturnType<typeof spawnWorker>>;
  let client: Anthropic;

  before(async () => {
    model = await startScriptedModelServer();
    database = await createTestDatabase('postgres');
    workerDir = await mkdtemp(join(tmpdir(), 'paddock-worker-'));
    const shared = {
      PADDOCK_DATABASE_URL: database.url,
      PADDOCK_SECRET_KEY: randomBytes(32).toString('hex'),
      PADDOCK_ADMIN_KEY: ADMIN_KEY,
      PADDOCK_ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'test-upstream-key',
      PADDOCK_SANDBOX: 'process',
    };
    api = await spawnPaddock(
      childEnv({
        ...shared,
        PADDOCK_DATA_DIR: database.dataDir,
        PADDOCK_PORT: String(await freePort()),
        PADDOCK_HARNESS: 'false',
      }),
    );
    worker = await spawnWorker(childEnv({ ...shared, PADDOCK_DATA_DIR: workerDir }));
    client = new Anthropic({ baseURL: api.url, apiKey: ADMIN_KEY, maxRetries: 0 });
  });

  after(async () => {
    await worker?.kill();
    await api?.kill();
    await model?.close();
    await database?.drop();
    if (workerDir) await rm(workerDir, { recursive: true, force: true });
  });

  it('the worker runs the turn (model and bash) and the API node streams it', async () => {
    model.push([
      {
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo ran-at "$PWD"' } }],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'Done on the worker.' }] },
    ]);
    const { session } = await createSession(client);
    const stream = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
    });
    const events = await stream.until(isIdle, 30_000);
    stream.close();
    const result = events.find((event) => event.type === 'agent.tool_result');
    // The process driver works under the node's data directory: the worker's, not the API node's.
    assert.match(JSON.stringify(result?.content), new RegExp(`ran-at ${workerDir}`));
    const message = events.find((event) => event.type === 'agent.message');
    assert.equal(message?.content[0]?.text, 'Done on the worker.');
    assert.equal(events.at(-1)?.stop_reason?.type, 'end_turn');
  });

  it('an interrupt sent to the API node stops the turn running on the worker', async () => {
    model.push([{ content: [{ type: 'text', text: 'too slow' }], delay_ms: 20_000 }]);
    const { session } = await createSession(client);
    const stream = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'take your time' }] }],
    });
    await stream.until((event) => event.type === 'span.model_request_start', 30_000);
    const sent = Date.now();
    await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
    const events = await stream.until(isIdle, 15_000);
    stream.close();
    assert.ok(Date.now() - sent < 5_000, `the interrupt took ${Date.now() - sent} ms`);
    assert.ok(!events.some((event) => event.type === 'agent.message'), 'the slow answer never landed');
  });

  it('refuses an API-only node or a worker on SQLite, saying why', async () => {
    const { main } = await import('../../src/cli/main.js');
    const saved = { ...process.env };
    try {
      delete process.env['PADDOCK_DATABASE_URL'];
      process.env['PADDOCK_DATA_DIR'] = workerDir;
      await assert.rejects(main(['worker']), /paddock worker needs PADDOCK_DATABASE_URL=postgres/);
      await assert.rejects(main(['serve', '--no-harness']), /leaves sessions to `paddock worker` nodes/);
    } finally {
      process.env = saved;
    }
  });
});
