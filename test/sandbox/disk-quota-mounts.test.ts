import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import {
  detectDiskQuota,
  isMounted,
  reclaimDiskMounts,
  SessionDisks,
} from '../../src/sandbox/bwrap/disk-quota.js';
import { removeSessionFiles } from '../../src/sandbox/bwrap/leftovers.js';
import { prepareLayer, sessionLayer, sessionsDir } from '../../src/sandbox/bwrap/session-layer.js';

const quota = detectDiskQuota();
const MIB = 1024 * 1024;

// The mount bookkeeping alone (no sandbox): counted per session, reached through a symlinked data
// dir (mountinfo names real paths), and what a crash leaves is found by its real path too.
describe('session disks: mounts counted per session, crash leftovers found', {
  skip: quota.available ? undefined : quota.reason,
}, () => {
  let real: string;
  let dataDir: string;
  before(async () => {
    real = await mkdtemp(join(tmpdir(), 'paddock-disks-'));
    dataDir = `${real}-link`;
    await symlink(real, dataDir);
  });
  after(async () => {
    await reclaimDiskMounts(sessionsDir(dataDir));
    await rm(dataDir, { force: true });
    await rm(real, { recursive: true, force: true });
  });

  it('stays mounted while any user holds it, unmounts with the last; the image is sparse and keeps files', async () => {
    const disks = new SessionDisks(() => {});
    const layer = sessionLayer(dataDir, 'd1');
    const first = await disks.acquire(layer, 128 * MIB);
    const second = await disks.acquire(layer, 128 * MIB);
    await prepareLayer(layer, true, undefined);
    await writeFile(join(layer.upper, 'kept.txt'), 'kept');
    assert.equal(await isMounted(layer.disk), true);
    await first();
    await first(); // a second release of the same holder counts once
    assert.equal(await isMounted(layer.disk), true, 'the other holder still uses it');
    await second();
    assert.equal(await isMounted(layer.disk), false);
    const image = await stat(layer.image);
    assert.equal(image.size, 128 * MIB);
    assert.ok(image.blocks * 512 < 32 * MIB, `sparse: ${image.blocks * 512} bytes stored`);
    const again = await disks.acquire(layer, 256 * MIB);
    assert.equal((await stat(join(layer.upper, 'kept.txt'))).size, 4);
    assert.equal((await stat(layer.image)).size, 256 * MIB, 'a larger quota grows the image');
    await again();
  });

  it('a session deleted while no driver runs here: its disk is unmounted and its files removed', async () => {
    const layer = sessionLayer(dataDir, 'd3');
    await new SessionDisks(() => {}).acquire(layer, 64 * MIB); // as a killed server left it
    await removeSessionFiles({ ...loadConfig({}), dataDir }, 'd3');
    assert.equal(await isMounted(layer.disk), false);
    assert.equal(existsSync(layer.dir), false);
    await assert.rejects(removeSessionFiles({ ...loadConfig({}), dataDir }, '../d1'), /invalid session id/);
  });

  it('a mount nobody released (a crashed server) is found and unmounted by its data dir', async () => {
    const layer = sessionLayer(dataDir, 'd2');
    await new SessionDisks(() => {}).acquire(layer, 64 * MIB); // never released
    assert.equal(await isMounted(layer.disk), true);
    const reclaimed = await reclaimDiskMounts(sessionsDir(dataDir));
    assert.equal(reclaimed.length, 1);
    assert.equal(await isMounted(layer.disk), false);
  });
});
