import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../support/paddock-process.js';
import { bwrapCase, TEST_ROOTFS_DIR } from './drivers.js';

const ENTRY = fileURLToPath(new URL('../support/serve-entry.ts', import.meta.url));
const NOBODY = 65534;

/** `paddock doctor` from source, as root or (through setpriv) as the unprivileged `nobody`. */
function doctor(env: Record<string, string>, asNobody: boolean): Promise<string> {
  const node = [process.execPath, '--import', 'tsx', ENTRY, 'doctor'];
  const argv = asNobody
    ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...node]
    : node;
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { env: childEnv(env), timeout: 90_000 }, (_error, stdout, stderr) =>
      resolve(stdout + stderr),
    );
  });
}

const bwrap = await bwrapCase();
const skip = bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'needs root to compare root and non-root');

describe('paddock doctor reports the disk quota', { skip }, () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'paddock-doctor-disk-'));
    await chown(home, NOBODY, NOBODY);
  });
  after(async () => rm(home, { recursive: true, force: true }));

  it('root: enforced with its default size; non-root: a loud warning saying why, not a failure', async () => {
    const env = { PADDOCK_SANDBOX: 'bwrap', PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR, HOME: home };
    const asRoot = await doctor({ ...env, PADDOCK_DATA_DIR: join(home, 'root-data') }, false);
    assert.match(asRoot, /^OK\s+disk quota\s+ext4 image per session, 10240 MiB by default/m);
    assert.match(asRoot, /^OK\s+data disk space\s+\d+ MiB free$/m);
    const asNobody = await doctor({ ...env, PADDOCK_DATA_DIR: join(home, 'data') }, true);
    assert.match(
      asNobody,
      /^WARN\s+disk quota\s+none: the server is not root, so it cannot loop-mount disk images; a sandbox can fill this disk$/m,
    );
    assert.doesNotMatch(asNobody, /^FAIL\s+disk/m);
  });
});
