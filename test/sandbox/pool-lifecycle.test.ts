import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxSpec } from '../../src/core/ports/sandbox.js';
import { detectCgroups } from '../../src/sandbox/bwrap/cgroups.js';
import { egressSocketDir, egressSocketName } from '../../src/sandbox/network/sandbox-egress.js';
import type { OnOutputs } from '../../src/sandbox/outputs/output-collector.js';
import { effectiveLimits } from '../../src/sandbox/pool/sandbox-pool.js';
import { bwrapCase, type PooledDriver, spec, textOf, tool } from './drivers.js';
import { memorySink, type StoredOutput } from './output-sink.js';

const bwrap = await bwrapCase();
const cgroups = await detectCgroups();

describe('pool: refill, size, memory cap, environment updates, drain', { skip: bwrap.skip }, () => {
  const created: Array<{ driver: PooledDriver; config: PaddockConfig }> = [];
  after(async () => {
    for (const { driver, config } of created) {
      await driver.close();
      await rm(config.dataDir, { recursive: true, force: true });
    }
  });
  const pooledDriver = async (env: Record<string, string>, onOutputs?: OnOutputs) => {
    const made = await bwrap.create({ env, ...(onOutputs ? { onOutputs } : {}) });
    created.push(made);
    const pool = made.driver.pool;
    assert.ok(pool, 'the driver has a pool');
    const limits = (of: SandboxSpec) => effectiveLimits(made.config.sandbox, of);
    return { ...made, pool, limits };
  };
  /** Pool members' directories, cgroups and mounts on the host. */
  const memberDirs = async (config: PaddockConfig) =>
    (await readdir(join(config.dataDir, 'sandboxes')).catch(() => [] as string[])).filter((name) =>
      name.startsWith('pool-'),
    );
  const memberCgroups = async (ids: string[]) => {
    if (!cgroups.available) return [];
    const found: string[] = [];
    for (const base of Object.values(cgroups.bases))
      for (const name of await readdir(base).catch(() => [] as string[]))
        if (ids.some((id) => name.startsWith(`${id}-`))) found.push(join(base, name));
    return found;
  };
  const mountsUnder = (dir: string) =>
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((line) => line.includes(dir));

  it('refills after a hand-out, never past its size', async () => {
    const { driver, pool, limits } = await pooledDriver({ PADDOCK_SANDBOX_POOL_SIZE: '2' });
    // Five first tool calls' worth of demand: still two members.
    await pool.warm(spec('r0'), limits(spec('r0')), 5);
    await pool.until(() => pool.idle);
    assert.equal(pool.stats().ready, 2);
    assert.equal(pool.stats().started, 2);
    const sandbox = await driver.acquire(spec('r1'));
    assert.equal(textOf(await tool(sandbox, 'bash', { command: 'echo pooled' })), 'pooled');
    assert.equal(pool.stats().handedOut, 1);
    await pool.until(() => pool.stats().ready === 2 && pool.idle);
    assert.equal(pool.stats().started, 3);
  });

  it("a pooled session's outputs are collected from its own (moved) layer", async () => {
    const batches: StoredOutput[][] = [];
    const { driver, pool, limits } = await pooledDriver(
      { PADDOCK_SANDBOX_POOL_SIZE: '1' },
      memorySink(batches),
    );
    await pool.warm(spec('o0'), limits(spec('o0')));
    const sandbox = await driver.acquire(spec('o1'));
    assert.equal(pool.stats().handedOut, 1);
    await tool(sandbox, 'bash', { command: 'echo result > /mnt/session/outputs/report.txt' });
    await driver.flushOutputs?.('o1');
    assert.deepEqual(
      batches.flat().map((file) => [file.path, file.content.toString()]),
      [['report.txt', 'result\n']],
    );
  });

  it('a first tool call that finds the pool empty starts a sandbox as before', async () => {
    const { driver, pool } = await pooledDriver({ PADDOCK_SANDBOX_POOL_SIZE: '1' });
    const sandbox = await driver.acquire(spec('e1'));
    assert.equal(textOf(await tool(sandbox, 'bash', { command: 'echo fresh' })), 'fresh');
    assert.deepEqual([pool.stats().misses, pool.stats().handedOut], [1, 0]);
    // That miss was demand: the next session of the environment finds a member.
    await pool.until(() => pool.stats().ready === 1);
    await driver.acquire(spec('e2'));
    assert.equal(pool.stats().handedOut, 1);
  });

  it('never holds more memory than its cap', {
    skip: cgroups.available ? undefined : 'no cgroups',
  }, async () => {
    const probe = await pooledDriver({ PADDOCK_SANDBOX_POOL_SIZE: '1' });
    await probe.pool.warm(spec('m0'), probe.limits(spec('m0')));
    const one = probe.pool.stats().memoryBytes;
    assert.ok(one > 0, 'a member has measured memory');
    const capMb = (one * 1.5) / 1048576;
    const { pool, limits } = await pooledDriver({
      PADDOCK_SANDBOX_POOL_SIZE: '3',
      PADDOCK_SANDBOX_POOL_MAX_MEMORY_MB: capMb.toFixed(3),
    });
    pool.want(spec('m1'), limits(spec('m1')), 3);
    await pool.until(() => pool.idle && pool.stats().started + pool.stats().failed > 0);
    const stats = pool.stats();
    assert.ok(stats.memoryBytes <= capMb * 1048576, JSON.stringify(stats));
    assert.ok(stats.ready < 3, `the cap kept the pool under its size: ${JSON.stringify(stats)}`);
  });

  it("an updated environment's stale members are discarded; new ones carry its limits", async () => {
    const { driver, config, pool, limits } = await pooledDriver({ PADDOCK_SANDBOX_POOL_SIZE: '1' });
    const old: SandboxSpec = { ...spec('u0'), limits: { pids: 91 } };
    await pool.warm(old, limits(old));
    const [stale] = await memberDirs(config);
    assert.ok(stale);
    // The environment's paddock.* limits changed: its next first tool call carries the new ones.
    const updated: SandboxSpec = { ...spec('u1'), limits: { pids: 77 } };
    const sandbox = await driver.acquire(updated);
    assert.equal(textOf(await tool(sandbox, 'bash', { command: 'echo ok' })), 'ok');
    await pool.until(() => pool.stats().ready === 1 && pool.idle);
    assert.ok(pool.stats().discarded >= 1);
    assert.ok(!(await memberDirs(config)).includes(stale), 'the stale member is gone');
    if (cgroups.available && cgroups.bases['pids']) {
      const [fresh] = await memberDirs(config);
      const names = await readdir(cgroups.bases['pids']);
      const dir = names.find((name) => name.startsWith(`${fresh}-`));
      assert.ok(dir, 'the new member has a pids cgroup');
      assert.equal(readFileSync(join(cgroups.bases['pids'], dir, 'pids.max'), 'utf8').trim(), '77');
    }
  });

  it('is drained on close: no member process, cgroup, mount, socket or directory is left', async () => {
    const { driver, config, pool, limits } = await pooledDriver({ PADDOCK_SANDBOX_POOL_SIZE: '2' });
    await pool.warm(spec('d0'), limits(spec('d0')), 2);
    await driver.acquire(spec('d1'));
    await pool.until(() => pool.stats().ready === 2 && pool.idle);
    const members = await memberDirs(config);
    assert.equal(members.length, 2);
    if (cgroups.available) assert.ok((await memberCgroups(members)).length > 0);
    const socketDir = await egressSocketDir(config.sandbox.runtimeDir);
    const sockets = members.map((id) => join(socketDir, `${egressSocketName(config.dataDir, id)}.sock`));
    assert.ok(sockets.every((socket) => existsSync(socket)));
    await driver.close();
    assert.deepEqual(await memberDirs(config), []);
    assert.deepEqual(await memberCgroups(members), []);
    assert.deepEqual(mountsUnder(config.dataDir), []);
    assert.ok(
      sockets.every((socket) => !existsSync(socket)),
      'member egress sockets are removed',
    );
    assert.equal(pool.stats().ready, 0);
  });
});
