// Tests read event fields freely; the SDK's own types are checked in the API tests.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
import { egressSocketDir, egressSocketName } from '../../src/sandbox/network/sandbox-egress.js';
import { bwrapServeEnv, waitUntil } from '../support/bwrap-serve.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createSession, runTurn, type StreamEvent } from '../support/harness-fixture.js';
import { type PaddockProcess, spawnPaddock } from '../support/paddock-process.js';
import { bwrapCase } from './drivers.js';

/**
 * kill -9 of `paddock serve` with a live bwrap sandbox leaves the session's
 * loop-mounted disk, its cgroup directory and its egress socket behind, and so
 * do a session that took a pooled sandbox and the pool's waiting members; the
 * restarted server (same data dir) removes them before it drives sessions,
 * and the sessions still have their files.
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

    // The pool (on by default) fills behind that first tool call; the next session takes a member.
    const sandboxes = join(database.dataDir, 'sandboxes');
    const socketDir = await egressSocketDir(undefined);
    const socketOf = (id: string) => join(socketDir, `${egressSocketName(database.dataDir, id)}.sock`);
    const cgroupDirs = async (id: string) => {
      if (!cgroups?.available) return [];
      const found: string[] = [];
      for (const base of Object.values(cgroups.bases))
        for (const name of await readdir(base).catch(() => [] as string[]))
          if (name.startsWith(`${id}-`)) found.push(join(base, name));
      return found;
    };
    const members = async () => (await readdir(sandboxes)).filter((name) => name.startsWith('pool-'));
    const memberReady = async () => {
      for (const id of await members())
        if (existsSync(socketOf(id)) && (await cgroupDirs(id)).length > 0) return true;
      return false;
    };
    await waitFor(memberReady, 'a pool member to start', 120_000);
    const { session: pooled } = await createSession(client);
    model.push([
      { content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo kept2 > /root/kept2' } }] },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    await runTurn(client, pooled.id);
    const member = readFileSync(join(sandboxes, pooled.id, 'pooled-from'), 'utf8');
    await waitFor(memberReady, 'the pool to refill', 120_000);

    // Each sandbox is live (idle stop is minutes away): kill the server under them.
    // A session's leftovers are named by its id, a pooled one's cgroup and socket by its member id.
    const owners: Array<[string, string]> = [
      [session.id, session.id],
      [pooled.id, member],
      ...(await members()).map((id): [string, string] => [id, id]),
    ];
    for (const [dir] of owners) assert.ok(await isMounted(join(sandboxes, dir, 'disk')), dir);
    await server.kill();
    server = undefined;
    // What the kernel does not clean up by itself:
    for (const [dir, id] of owners) {
      assert.ok(await isMounted(join(sandboxes, dir, 'disk')), `the dead server left ${dir}'s disk mounted`);
      assert.ok((await cgroupDirs(id)).length > 0, `the dead server left ${id}'s cgroup directory`);
      assert.ok(existsSync(socketOf(id)), `the dead server left ${id}'s egress socket`);
    }

    server = await spawnPaddock(env, { readyTimeoutMs: 120_000 });
    const reclaimed = async () => {
      for (const [dir, id] of owners)
        if (
          (await isMounted(join(sandboxes, dir, 'disk'))) ||
          (await cgroupDirs(id)).length > 0 ||
          existsSync(socketOf(id))
        )
          return false;
      return true;
    };
    await waitFor(reclaimed, 'the restarted server to reclaim the leftovers', 120_000);
    const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
    assert.ok(!routes.includes(SUBNET_PREFIX), 'no veth route of the dead sandbox is left');
    // The log line follows the reclaim; the child's output reaches us through a pipe, later.
    const reported = new RegExp(`reclaimed what a crashed server left: ${owners.length} disk mount`);
    const running = server;
    await waitFor(
      () => reported.test(running.output()),
      'the restarted server to report the reclaim',
      60_000,
    );
    assert.match(running.output(), reported);
    // Members never handed out are nobody's files; the restarted server's own pool starts later.
    for (const [dir, id] of owners)
      if (dir === id && id.startsWith('pool-')) assert.ok(!existsSync(join(sandboxes, id)));

    client = new Anthropic({ baseURL: server.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    model.push([
      { content: [{ type: 'tool_use', name: 'bash', input: { command: 'cat /root/kept' } }] },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    assert.deepEqual(toolResults(await runTurn(client, session.id)), ['kept']);
    model.push([
      { content: [{ type: 'tool_use', name: 'bash', input: { command: 'cat /root/kept2' } }] },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    assert.deepEqual(toolResults(await runTurn(client, pooled.id)), ['kept2']);
  });
});
