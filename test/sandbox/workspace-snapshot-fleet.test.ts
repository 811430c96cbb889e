import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { sessionUpperDir } from '../../src/sandbox/bwrap/session-layer.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createSession, isIdle, openEventReader } from '../support/harness-fixture.js';
import {
  childEnv,
  freePort,
  type PaddockProcess,
  spawnPaddock,
  spawnWorker,
} from '../support/paddock-process.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { TEST_ROOTFS_DIR } from './drivers.js';

/** Waits for a condition (polled), failing with `what` after `timeoutMs`: no fixed sleeps. */
async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Done-when of portable workspaces: an API node and real `paddock worker` processes with
 * bwrap sandboxes on one Postgres. Turn 1 writes files on worker A; A dies (kill -9) or
 * drains (SIGTERM); worker B, started only after, runs turn 2 and reads those files. B takes
 * the session over once A's heartbeat lapses: no step depends on who is faster.
 */
const ADMIN_KEY = 'sk-paddock-portable-test';
type Worker = Awaited<ReturnType<typeof spawnWorker>>;

const CASES = [
  { name: 'kill -9 of worker A (database blob store)', stop: 'kill', s3: false },
  { name: 'SIGTERM of worker A (database blob store)', stop: 'stop', s3: false },
  { name: 'kill -9 of worker A (S3 blob store)', stop: 'kill', s3: true },
] as const;

describe('portable workspaces across paddock workers', () => {
  let model: ScriptedModelServer;
  let s3: TestS3;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    model = await startScriptedModelServer();
    s3 = await startTestS3('fleet');
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await model?.close();
    await s3?.close();
  });

  /**
   * An API node on a fresh Postgres database and a way to start workers with their own data
   * dirs. Cleanup stops workers gracefully, and starts a killed worker's data dir once more so
   * its start-up reclaims what the kill left (the session's mounted disk, cgroups, sockets).
   */
  async function fleet(useS3: boolean) {
    const database: TestDatabase = await createTestDatabase('postgres');
    cleanups.push(() => database.drop());
    const shared = {
      PADDOCK_DATABASE_URL: database.url,
      PADDOCK_SECRET_KEY: randomBytes(32).toString('hex'),
      PADDOCK_ADMIN_KEY: ADMIN_KEY,
      PADDOCK_ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'test-upstream-key',
      PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR,
      PADDOCK_SANDBOX_NAT: 'false',
      PADDOCK_LEASE_TTL_MS: '2000',
      PADDOCK_NODE_HEARTBEAT_MS: '300',
      PADDOCK_NODE_TTL_MS: '1500',
      ...(useS3 ? s3.env : {}),
    };
    const api: PaddockProcess = await spawnPaddock(
      childEnv({
        ...shared,
        PADDOCK_DATA_DIR: database.dataDir,
        PADDOCK_PORT: String(await freePort()),
        PADDOCK_HARNESS: 'false',
      }),
    );
    cleanups.push(() => api.kill());
    const spawn = async (prefix: string): Promise<Worker & { dir: string }> => {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      const env = childEnv({ ...shared, PADDOCK_DATA_DIR: dir });
      const worker = await spawnWorker(env);
      cleanups.push(async () => {
        if (worker.child.exitCode === null && worker.child.signalCode === null) await worker.stop();
        else if (worker.child.signalCode === 'SIGKILL') await (await spawnWorker(env)).stop();
        await rm(dir, { recursive: true, force: true });
      });
      return Object.assign(worker, { dir });
    };
    const client = new Anthropic({ baseURL: api.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    const { session } = await createSession(client);
    const stream = await openEventReader(client, session.id);
    const send = (text: string) =>
      client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
      });
    return { spawn, session, stream, send };
  }

  for (const testCase of CASES) {
    it(`turn 2 on worker B reads turn 1's files after ${testCase.name}`, async () => {
      const { spawn, stream, send } = await fleet(testCase.s3);
      const turn = async (command: string) => {
        model.push([
          { content: [{ type: 'tool_use', name: 'bash', input: { command } }], stop_reason: 'tool_use' },
          { content: [{ type: 'text', text: 'done' }] },
        ]);
        await send(command);
        const events = await stream.until(isIdle, 90_000);
        return JSON.stringify(events.find((event) => event.type === 'agent.tool_result')?.content);
      };

      const workerA = await spawn('paddock-wa-');
      const first = await turn(
        'mkdir -p /srv/app && echo written-on-a > /srv/app/notes.txt && ln -sf notes.txt /srv/app/link && echo ok',
      );
      assert.match(first, /ok/);
      if (testCase.stop === 'kill') await workerA.kill();
      else await workerA.stop();

      const workerB = await spawn('paddock-wb-');
      const second = await turn('cat /srv/app/notes.txt; readlink /srv/app/link');
      stream.close();
      assert.match(second, /written-on-a/, `${second}\n--- worker B ---\n${workerB.output()}`);
      assert.match(second, /notes\.txt/);
      assert.doesNotMatch(second, /sandbox was reset/);
    });
  }

  it('a reset is never silent: a worker killed before its first snapshot, and the model is told', async () => {
    const { spawn, session, stream, send } = await fleet(false);
    model.push([
      {
        content: [
          {
            type: 'tool_use',
            name: 'bash',
            input: { command: 'mkdir -p /srv && echo started > /srv/flag && sleep 600' },
          },
        ],
        stop_reason: 'tool_use',
      },
      {
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'ls /srv; echo listed' } }],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    const workerA = await spawn('paddock-wa-');
    await send('write, then hang');
    // The command is running on A (its flag is in A's layer on the host): no snapshot exists yet.
    const flag = join(sessionUpperDir(workerA.dir, session.id), 'srv', 'flag');
    await waitFor(() => existsSync(flag), 60_000, 'the flag written on worker A');
    await workerA.kill();

    await spawn('paddock-wb-');
    const events = await stream.until(isIdle, 120_000);
    stream.close();
    const results = events.filter((event) => event.type === 'agent.tool_result');
    const last = JSON.stringify(results.at(-1)?.content);
    assert.match(last, /sandbox was reset/, last);
    assert.match(last, /listed/);
    assert.doesNotMatch(last, /flag/, 'the files of the killed turn are gone, and the note says so');
  });
});
