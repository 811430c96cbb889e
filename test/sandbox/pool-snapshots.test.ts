import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { createWorkspaceSnapshots } from '../../src/compose/workspace-snapshots.js';
import type { PaddockConfig } from '../../src/config/config.js';
import type { Store } from '../../src/core/ports/store.js';
import { effectiveLimits, type SandboxPool } from '../../src/sandbox/pool/sandbox-pool.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { bwrapCase, type PooledDriver, spec, textOf, tool } from './drivers.js';

const bwrap = await bwrapCase();

/**
 * Two nodes sharing a database (snapshot heads and blobs): a session that ran on one is resumed on
 * the other while that node's pool has a member of the same key. Its files come back (a fresh
 * start on them: an overlay's upper must not change under a running sandbox), and the member,
 * which no session touched, is ended; a new session there still takes a member.
 */
describe('pool: workspace snapshots are restored as for a fresh start', { skip: bwrap.skip }, () => {
  let database: TestDatabase;
  let store: Store;
  const nodes: Array<{ driver: PooledDriver; config: PaddockConfig }> = [];
  const node = async (): Promise<{ driver: PooledDriver; config: PaddockConfig; pool: SandboxPool }> => {
    const made = await bwrap.create({
      env: { PADDOCK_SANDBOX_POOL_SIZE: '1', PADDOCK_FILE_STORAGE: 'database' },
    });
    await made.driver.close();
    // The same configuration, now with the snapshots it points at.
    const snapshots = createWorkspaceSnapshots(made.config, store, () => {});
    assert.ok(snapshots);
    const withSnapshots = await bwrap.create({
      dataDir: made.config.dataDir,
      env: { PADDOCK_SANDBOX_POOL_SIZE: '1', PADDOCK_FILE_STORAGE: 'database' },
      snapshots,
    });
    nodes.push(withSnapshots);
    const pool = withSnapshots.driver.pool;
    assert.ok(pool);
    return { ...withSnapshots, pool };
  };
  before(async () => {
    database = await createTestDatabase('sqlite');
    store = await database.open();
  });
  after(async () => {
    for (const { driver, config } of nodes) {
      await driver.close();
      await rm(config.dataDir, { recursive: true, force: true });
    }
    await store?.close();
    await database?.drop();
  });

  it("a resumed session gets its files, not the waiting member's empty layer", async () => {
    const a = await node();
    await a.pool.warm(spec('x'), effectiveLimits(a.config.sandbox, spec('x')));
    const first = await a.driver.acquire(spec('moved'));
    assert.equal(a.pool.stats().handedOut, 1, 'the session started on a pooled sandbox');
    await tool(first, 'bash', { command: 'echo travelled > /workspace/w.txt' });
    await a.driver.flushOutputs?.('moved'); // the turn's end: the snapshot
    await first.stop();

    const b = await node();
    await b.pool.warm(spec('x'), effectiveLimits(b.config.sandbox, spec('x')));
    const resumed = await b.driver.acquire(spec('moved'));
    assert.equal(textOf(await tool(resumed, 'bash', { command: 'cat /workspace/w.txt' })), 'travelled');
    await b.pool.until(() => b.pool.stats().discarded === 1 && b.pool.idle);

    await b.pool.until(() => b.pool.stats().ready === 1);
    const handed = b.pool.stats().handedOut;
    const fresh = await b.driver.acquire(spec('new-here'));
    assert.equal(b.pool.stats().handedOut, handed + 1);
    assert.equal(textOf(await tool(fresh, 'bash', { command: 'ls -A /workspace; echo end' })), 'end');
  });
});
