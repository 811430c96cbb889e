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
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { TEST_ROOTFS_DIR } from './drivers.js';

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

  for (const testCase of CASES) {
    it(`turn 2 on worker B reads turn 1's files after ${testCase.name}`, async () => {
      const database: TestDatabase = await createTestDatabase('postgres');
      cleanups.push(() => database.drop());
      const dirs = [
        await mkdtemp(join(tmpdir(), 'paddock-wa-')),
        await mkdtemp(join(tmpdir(), 'paddock-wb-')),
      ];
      cleanups.push(async () => {
        for (const dir of dirs) await rm(dir, { recursive: true, force: true });
      });
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
        ...(testCase.s3 ? s3.env : {}),
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
      const spawn = async (dir: string): Promise<Worker> => {
        const worker = await spawnWorker(childEnv({ ...shared, PADDOCK_DATA_DIR: dir }));
        cleanups.push(() => worker.kill());
        return worker;
      };
      const client = new Anthropic({ baseURL: api.url, apiKey: ADMIN_KEY, maxRetries: 0 });
      const { session } = await createSession(client);
      const stream = await openEventReader(client, session.id);
      const turn = async (command: string) => {
        model.push([
          { content: [{ type: 'tool_use', name: 'bash', input: { command } }], stop_reason: 'tool_use' },
          { content: [{ type: 'text', text: 'done' }] },
        ]);
        await client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: command }] }],
        });
        const events = await stream.until(isIdle, 90_000);
        return JSON.stringify(events.find((event) => event.type === 'agent.tool_result')?.content);
      };

      const workerA = await spawn(dirs[0]!);
      const first = await turn(
        'mkdir -p /srv/app && echo written-on-a > /srv/app/notes.txt && ln -sf notes.txt /srv/app/link && echo ok',
      );
      assert.match(first, /ok/);
      if (testCase.stop === 'kill') await workerA.kill();
      else await workerA.stop();

      const workerB = await spawn(dirs[1]!);
      const second = await turn('cat /srv/app/notes.txt; readlink /srv/app/link');
      stream.close();
      assert.match(second, /written-on-a/, `${second}\n--- worker B ---\n${workerB.output()}`);
      assert.match(second, /notes\.txt/);
      assert.doesNotMatch(second, /sandbox was reset/);
    });
  }
});
