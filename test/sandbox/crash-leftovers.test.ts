// Tests read event fields freely; the SDK's own types are checked in the API tests.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { detectCgroups } from '../../src/sandbox/bwrap/cgroups.js';
import { detectDiskQuota, isMounted } from '../../src/sandbox/bwrap/disk-quota.js';
import { sessionLayer } from '../../src/sandbox/bwrap/session-layer.js';
import { egressSocketDir, egressSocketName } from '../../src/sandbox/network/sandbox-egress.js';
import { bwrapServeEnv, waitUntil } from '../support/bwrap-serve.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createSession, runTurn, type StreamEvent } from '../support/harness-fixture.js';
import { type PaddockProcess, spawnPaddock } from '../support/paddock-process.js';
import { bwrapCase } from './drivers.js';

/**
 * kill -9 of `paddock serve` with a live bwrap sandbox leaves the session's
 * loop-mounted disk, its cgroup directory and its egress socket behind; the
 * restarted server (same data dir) removes them before it drives sessions,
 * and the session still has its files.
 */
const ADMIN_KEY = 'sk-paddock-leftovers-test';
const SUBNET_PREFIX = '10.90.11.';

const bwrap = await bwrapCase();
const quota = detectDiskQuota();
const cgroups = bwrap.skip ? undefined : await detectCgroups();
const skip =
  bwrap.skip ??
  (quota.available ? undefined : quota.reason) ??
  (cgroups?.available ? undefined : 'cgroups are not writable here');

const waitFor = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) =>
  waitUntil(check, what, timeoutMs);

const toolResults = (events: StreamEvent[]) =>
  events
    .filter((event) => event.type === 'agent.tool_result')
    .map((event) => (event.content as Array<{ text?: string }>).map((block) => block.text ?? '').join(''));

describe('crash leftovers are reclaimed at start-up', { skip }, () => {
  let model: ScriptedModelServer;
  let database: TestDatabase;
  let server: PaddockProcess | undefined;
  before(async () => {
    model = await startScriptedModelServer();
    database = await createTestDatabase('sqlite');
  });
  after(async () => {
    await server?.stop();
    await model?.close();
    await database?.drop();
  });

  it('disk mount, cgroup and egress socket of a kill -9 server are gone after a restart; files stay', async () => {
    const env = await bwrapServeEnv({
      dataDir: database.dataDir,
      adminKey: ADMIN_KEY,
      modelUrl: model.url,
      subnetPrefix: SUBNET_PREFIX,
      extra: { PADDOCK_SANDBOX_DISK_MB: '512' },
    });
    server = await spawnPaddock(env, { readyTimeoutMs: 120_000 });
    let client = new Anthropic({ baseURL: server.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    const { session } = await createSession(client);
    model.push([
      {
        content: [
          { type: 'tool_use', name: 'bash', input: { command: 'echo kept > /root/kept && echo ok' } },
        ],
      },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    assert.deepEqual(toolResults(await runTurn(client, session.id)), ['ok']);

    const layer = sessionLayer(database.dataDir, session.id);
    const socket = join(
      await egressSocketDir(undefined),
      `${egressSocketName(database.dataDir, session.id)}.sock`,
    );
    const cgroupDirs = async () => {
      if (!cgroups?.available) return [];
      const found: string[] = [];
      for (const base of Object.values(cgroups.bases))
        for (const name of await readdir(base).catch(() => [] as string[]))
          if (name.startsWith(`${session.id}-`)) found.push(join(base, name));
      return found;
    };
    // The sandbox is live (idle stop is minutes away): kill the server under it.
    assert.ok(await isMounted(layer.disk));
    await server.kill();
    server = undefined;
    // What the kernel does not clean up by itself:
    assert.ok(await isMounted(layer.disk), 'the dead server left its session disk mounted');
    assert.ok((await cgroupDirs()).length > 0, 'the dead server left a cgroup directory');
    assert.ok(existsSync(socket), 'the dead server left its egress socket');

    server = await spawnPaddock(env, { readyTimeoutMs: 120_000 });
    await waitFor(
      async () => !(await isMounted(layer.disk)) && (await cgroupDirs()).length === 0 && !existsSync(socket),
      'the restarted server to reclaim the leftovers',
      120_000,
    );
    const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
    assert.ok(!routes.includes(SUBNET_PREFIX), 'no veth route of the dead sandbox is left');
    assert.match(server.output(), /reclaimed what a crashed server left: 1 disk mount/);

    client = new Anthropic({ baseURL: server.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    model.push([
      { content: [{ type: 'tool_use', name: 'bash', input: { command: 'cat /root/kept' } }] },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    assert.deepEqual(toolResults(await runTurn(client, session.id)), ['kept']);
  });
});
