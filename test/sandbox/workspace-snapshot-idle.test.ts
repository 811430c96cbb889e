import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import type { SandboxDriver, ToolOutcome } from '../../src/core/ports/sandbox.js';
import type { Store } from '../../src/core/ports/store.js';
import { createFileBlobStore } from '../../src/file-blobs/create-file-blob-store.js';
import { createBwrapDriver } from '../../src/sandbox/bwrap/bwrap-driver.js';
import { BlobWorkspaceSnapshots } from '../../src/sandbox/snapshots/workspace-snapshots.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { bwrapCase, spec, TEST_ROOTFS_DIR, tool } from './drivers.js';

const allText = (outcome: ToolOutcome) =>
  outcome.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');

/**
 * The idle-stop hook with real bwrap sandboxes in this process: node A's sandbox is stopped for
 * idleness (no turn end ever runs), and that stop's snapshot is what node B restores.
 */
const bwrap = await bwrapCase();

describe('workspace snapshot at an idle stop (bwrap)', { skip: bwrap.skip }, () => {
  let database: TestDatabase;
  let store: Store;
  const dirs: string[] = [];
  const drivers: SandboxDriver[] = [];

  const node = async (idleMs: string) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'paddock-idle-snap-'));
    dirs.push(dataDir);
    const config = loadConfig({
      PADDOCK_DATA_DIR: dataDir,
      PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR,
      PADDOCK_SANDBOX_IDLE_MS: idleMs,
      PADDOCK_SANDBOX_NAT: 'false',
    });
    const snapshots = new BlobWorkspaceSnapshots({
      repository: store.workspaceSnapshots,
      blobs: createFileBlobStore({ fileStorage: 'database', dataDir }, store, 'snapshots'),
      stateDir: join(dataDir, 'sandbox-state'),
      stageDir: join(dataDir, 'snapshots'),
      maxBytes: 1024 ** 3,
      restoreOwners: true,
      log: () => undefined,
    });
    const driver = await createBwrapDriver(config, { log: () => undefined, snapshots });
    drivers.push(driver);
    return driver;
  };

  before(async () => {
    database = await createTestDatabase('sqlite');
    store = await database.open();
  });
  after(async () => {
    for (const driver of drivers) await driver.close();
    await store.close();
    await database.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('node B restores what node A snapshotted when its idle sandbox stopped', async () => {
    const sessionId = 'sesn_idle_snapshot';
    const a = await node('300');
    const sandboxA = await a.acquire(spec(sessionId));
    const wrote = await tool(sandboxA, 'bash', {
      command: 'mkdir -p /srv/idle && echo stopped-for-idleness > /srv/idle/f && echo ok',
    });
    assert.match(allText(wrote), /ok/);
    // No turn end runs here: only the idle stop can have snapshotted.
    const deadline = Date.now() + 60_000;
    while (((await store.workspaceSnapshots.head(sessionId))?.generation ?? 0) < 1) {
      assert.ok(Date.now() < deadline, 'the idle stop snapshotted the workspace');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const b = await node('0');
    const sandboxB = await b.acquire(spec(sessionId));
    const read = await tool(sandboxB, 'bash', { command: 'cat /srv/idle/f' });
    assert.match(allText(read), /stopped-for-idleness/);
    assert.doesNotMatch(allText(read), /sandbox was reset/);
  });
});
