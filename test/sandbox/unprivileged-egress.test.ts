import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { HOST_PATH } from '../../src/sandbox/bwrap/bwrap-host.js';
import { nsenterNetArgs } from '../../src/sandbox/network/netns-ref.js';
import { egressSocketDir } from '../../src/sandbox/network/sandbox-egress.js';
import { bwrapCase, TEST_ROOTFS_DIR } from './drivers.js';

const NOBODY = 65534;
const root = process.getuid?.() === 0;

describe('egress socket directory of a non-root server', {
  skip: !root && 'needs root to fake owners',
}, () => {
  it('is made private under XDG_RUNTIME_DIR; a foreign, open or symlinked one is refused', async () => {
    const base = await mkdtemp(join(tmpdir(), 'paddock-rundir-'));
    try {
      const dir = join(base, 'paddock-egress');
      await mkdir(dir, { mode: 0o700 });
      await chown(dir, 1234, 1234);
      assert.equal(await egressSocketDir(base, 1234), dir);
      await assert.rejects(egressSocketDir(base, 4321), /must be a directory owned by uid 4321/);
      await chmod(dir, 0o755);
      await assert.rejects(egressSocketDir(base, 1234), /mode 0700 \(found uid 1234, mode 755\)/);
      await rm(dir, { recursive: true });
      await symlink(tmpdir(), dir);
      await assert.rejects(egressSocketDir(base, 1234), /not a directory/);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('root keeps /run/paddock-egress; a non-root relay joins the user namespace too', async () => {
    assert.equal(await egressSocketDir('/ignored', 0), '/run/paddock-egress');
    assert.deepEqual(nsenterNetArgs({ pid: 42 }, true), ['--net=/proc/42/ns/net']);
    assert.deepEqual(nsenterNetArgs({ pid: 42 }, false), [
      '--user=/proc/42/ns/user',
      '--net=/proc/42/ns/net',
      '--preserve-credentials',
    ]);
  });
});

const bwrap = await bwrapCase();
const skip = bwrap.skip ?? (root ? undefined : 'the test drops from root to nobody');
if (skip && !bwrap.skip) process.stderr.write(`SKIP unprivileged sandbox egress: ${skip}\n`);

describe('limited networking from a non-root server (bwrap)', { skip }, () => {
  it('reaches an allowed host through the proxy; others get 403', async (t) => {
    // A data directory the unprivileged server owns, and its runtime directory inside it.
    const dataDir = await mkdtemp(join(tmpdir(), 'paddock-unprivileged-'));
    const runtimeDir = join(dataDir, 'run');
    await mkdir(runtimeDir, { mode: 0o700 });
    for (const dir of [dataDir, runtimeDir]) await chown(dir, NOBODY, NOBODY);
    // The checkout may sit under a directory nobody cannot enter (a CI clone in a 0700 temp
    // dir): the child sees it through a bind mount at a traversable path, in a mount namespace of
    // its own, so nothing on the host changes.
    const view = await mkdtemp(join(tmpdir(), 'paddock-repo-view-'));
    await chmod(view, 0o755);
    try {
      const repo = join(import.meta.dirname, '..', '..');
      const drop = `setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups --`;
      const { stdout, stderr } = await promisify(execFile)(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          '--',
          'sh',
          '-c',
          `mount --bind "$1" "$2" && cd "$2" && exec ${drop} "$3" --import tsx "$2/test/sandbox/unprivileged-egress-child.ts" "$4" "$5" "$6"`,
          'paddock-unprivileged',
          repo,
          view,
          process.execPath,
          dataDir,
          TEST_ROOTFS_DIR,
          runtimeDir,
        ],
        {
          env: { PATH: HOST_PATH, HOME: dataDir, TMPDIR: dataDir },
          timeout: 90_000,
        },
      );
      const line = stdout.trim().split('\n').at(-1) ?? '';
      const result = JSON.parse(line) as Record<string, unknown>;
      if (typeof result['skip'] === 'string') {
        process.stderr.write(`SKIP unprivileged sandbox egress: ${result['skip']}\n`);
        t.skip(result['skip']);
        return;
      }
      assert.equal(result['error'], undefined, `${String(result['error'])}\n${stderr}`);
      assert.equal(result['uid'], NOBODY);
      assert.equal(result['allowed'], 'HELLO-FROM-ALLOWED 200');
      assert.equal(result['allowedConnect'], 'HELLO-FROM-ALLOWED 200');
      assert.match(String(result['disallowed']), /not in this environment's allowed hosts\n 403$/);
      // The secret's placeholder is all the sandbox sees, and all a host outside its list gets.
      assert.equal(result['placeholder'], result['expectedPlaceholder']);
      // A non-root server's sandbox is confined like a root one's (issue #12: CapEff 0, NoNewPrivs 1, Seccomp 2).
      assert.match(
        String(result['confinement']),
        /CapEff:\s+0{16}\nNoNewPrivs:\s+1\nSeccomp:\s+2\nunshare=1$/,
      );
      assert.equal(result['sentAuthorization'], `AUTH Bearer ${String(result['expectedPlaceholder'])} 200`);
      assert.deepEqual(new Set(result['dialed'] as string[]), new Set(['203.0.113.7']));
      assert.equal(result['socketDir'], join(runtimeDir, 'paddock-egress'));
      assert.equal(result['socketDirMode'], '700');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await rm(view, { recursive: true, force: true });
    }
  });
});
