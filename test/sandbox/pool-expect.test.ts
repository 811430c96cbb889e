import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxSpec } from '../../src/core/ports/sandbox.js';
import { startScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import { createPaddock } from '../../src/server.js';
import { createTestDatabase } from '../support/databases.js';
import { isIdle, openEventReader } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY, testServerConfig } from '../support/server.js';
import { bwrapCase, type PooledDriver, spec, textOf, tool } from './drivers.js';

const bwrap = await bwrapCase();

describe('pool: sandboxes expected ahead (issue #21: no cold first turn)', { skip: bwrap.skip }, () => {
  const created: Array<{ driver: PooledDriver; config: PaddockConfig }> = [];
  after(async () => {
    for (const { driver, config } of created) {
      await driver.close();
      await rm(config.dataDir, { recursive: true, force: true });
    }
  });
  const pooledDriver = async (env: Record<string, string> = {}) => {
    const made = await bwrap.create({ env });
    created.push(made);
    const pool = made.driver.pool;
    assert.ok(pool, 'the driver has a pool');
    assert.ok(made.driver.expect, 'the driver takes expectations');
    return { ...made, pool, expect: (of: SandboxSpec) => made.driver.expect?.(of) };
  };
  const memberDirs = async (config: PaddockConfig) =>
    (await readdir(join(config.dataDir, 'sandboxes')).catch(() => [] as string[])).filter((name) =>
      name.startsWith('pool-'),
    );

  it('an expected session takes the member started for it, even one still starting, and counts once', async () => {
    const { driver, pool, expect } = await pooledDriver({ PADDOCK_SANDBOX_POOL_SIZE: '2' });
    expect(spec('e1'));
    // The start is under way before any tool call.
    assert.equal(pool.stats().starting, 1);
    const sandbox = await driver.acquire(spec('e1'));
    assert.equal(textOf(await tool(sandbox, 'bash', { command: 'echo expected' })), 'expected');
    const stats = pool.stats();
    assert.equal(stats.handedOut, 1);
    assert.equal(stats.misses, 0);
    // Expected, then its first tool call: one session's demand, so one member refills, not two.
    await pool.until(() => pool.idle && pool.stats().ready === 1);
    assert.equal(pool.stats().started, 2);
    await driver.destroy('e1');
  });

  it('one first tool call waits per starting member; the next starts fresh instead of queueing', async () => {
    const { driver, pool, expect } = await pooledDriver({ PADDOCK_SANDBOX_POOL_SIZE: '1' });
    expect(spec('w1'));
    assert.equal(pool.stats().starting, 1);
    const [first, second] = await Promise.all([driver.acquire(spec('w1')), driver.acquire(spec('w2'))]);
    assert.equal(textOf(await tool(first, 'bash', { command: 'echo one' })), 'one');
    assert.equal(textOf(await tool(second, 'bash', { command: 'echo two' })), 'two');
    assert.equal(pool.stats().handedOut, 1);
    assert.equal(pool.stats().misses, 1);
    await driver.destroy('w1');
    await driver.destroy('w2');
  });

  it('starts nothing for a session that cannot take a member or already has files here', async () => {
    const { driver, pool, expect } = await pooledDriver();
    expect({ ...spec('m1'), mounts: [{ hostPath: '/etc/hostname', sandboxPath: '/mnt/x', readOnly: true }] });
    await pool.until(() => pool.idle);
    assert.equal(pool.stats().started, 0);
    const sandbox = await driver.acquire(spec('s1'));
    await tool(sandbox, 'bash', { command: 'true' });
    await sandbox.stop();
    // The refill after s1's fresh start's miss: one member for the key.
    await pool.until(() => pool.idle && pool.stats().ready === 1);
    const before = pool.stats().started;
    // Its files are here now: a restart is a fresh start on them, so nothing is started ahead.
    expect(spec('s1'));
    assert.equal(pool.stats().starting, 0);
    assert.equal(pool.stats().started, before);
    await driver.destroy('s1');
  });

  it('never past the size per key, nor past the memory cap; close drains what it started', async () => {
    const sized = await pooledDriver({ PADDOCK_SANDBOX_POOL_SIZE: '1' });
    for (const id of ['c1', 'c2', 'c3']) sized.expect(spec(id));
    await sized.pool.until(() => sized.pool.idle);
    assert.equal(sized.pool.stats().ready, 1);
    assert.equal(sized.pool.stats().started, 1);
    // 1 MiB holds no member (about 2 MiB each): the first is measured and ended, no other starts.
    const capped = await pooledDriver({ PADDOCK_SANDBOX_POOL_MAX_MEMORY_MB: '1' });
    for (const [id, hosts] of [
      ['k1', ['a.example']],
      ['k2', ['b.example']],
      ['k3', ['c.example']],
    ] as const)
      capped.expect({ ...spec(id), network: { type: 'limited', allowed_hosts: [...hosts] } });
    await capped.pool.until(() => capped.pool.idle);
    assert.equal(capped.pool.stats().ready, 0);
    assert.equal(capped.pool.stats().started, 1);
    await sized.driver.close();
    assert.deepEqual(await memberDirs(sized.config), []);
  });

  it('a serving node prefills the default key: the first session of a new default environment takes it', async () => {
    const { driver, pool, config: sandboxConfig } = await pooledDriver({ PADDOCK_SANDBOX_POOL_SIZE: '1' });
    const model = await startScriptedModelServer({ turns: [] });
    const database = await createTestDatabase('sqlite');
    const paddock = await createPaddock({
      config: testServerConfig(database.dataDir, {
        anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' },
        sandboxPool: { ...sandboxConfig.sandboxPool, prefill: 4 },
      }),
      store: await database.open(),
      harness: { sandboxes: driver },
      warmUp: true,
    });
    try {
      const Anthropic = (await import('@anthropic-ai/sdk')).default;
      const client = new Anthropic({
        baseURL: await paddock.listen(),
        apiKey: TEST_ADMIN_KEY,
        maxRetries: 0,
      });
      await pool.until(() => pool.stats().ready === 1);
      const agent = await client.beta.agents.create({
        name: 'first',
        model: 'claude-sonnet-4-6',
        tools: [{ type: 'agent_toolset_20260401' }],
      });
      const environment = await client.beta.environments.create({
        name: 'fresh',
        config: { type: 'cloud', networking: { type: 'unrestricted' } },
      });
      const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      model.push([
        { content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo first' } }] },
        { content: [{ type: 'text', text: 'done' }] },
      ]);
      const reader = await openEventReader(client, session.id);
      try {
        await client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
        });
        const events = await reader.until(isIdle, 120_000);
        const result = events.find((event) => event.type === 'agent.tool_result');
        assert.equal(result?.is_error, false, JSON.stringify(result));
      } finally {
        reader.close();
      }
      assert.equal(pool.stats().handedOut, 1);
      assert.equal(pool.stats().misses, 0);
    } finally {
      await paddock.close();
      await model.close();
      await database.drop();
    }
  });
});
