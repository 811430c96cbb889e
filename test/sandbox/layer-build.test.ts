import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SandboxSpec } from '../../src/core/ports/sandbox.js';
import { probeBwrap } from '../../src/sandbox/bwrap/bwrap-host.js';
import { type CgroupSupport, detectCgroups } from '../../src/sandbox/bwrap/cgroups.js';
import { runLogged } from '../../src/sandbox/bwrap/logged-run.js';
import { ensurePackageLayer } from '../../src/sandbox/bwrap/package-layer.js';
import { ensureConfineHelper } from '../../src/sandbox/seccomp/confine-helper.js';
import { bwrapCase, spec, TEST_ROOTFS_DIR } from './drivers.js';

const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paddock-layer-build-'));
  temps.push(dir);
  return dir;
}

describe('build runner timeout', () => {
  it('kills the build at the timeout and says so', async () => {
    const dir = await tempDir();
    const started = Date.now();
    const outcome = await runLogged(['/bin/sh', '-c', 'echo started; sleep 30'], {}, join(dir, 'log'), 300);
    assert.equal(outcome, 'timed out after 300 ms');
    assert.ok(Date.now() - started < 3000);
    assert.equal(await readFile(join(dir, 'log'), 'utf8'), 'started\n');
  });

  it('still ends when a process that left the group holds the log open', async () => {
    const dir = await tempDir();
    const started = Date.now();
    // setsid: a new process group the kill does not reach, keeping stdout open past the grace period.
    const outcome = await runLogged(
      ['/bin/sh', '-c', 'setsid sleep 8 & sleep 30'],
      {},
      join(dir, 'log'),
      200,
    );
    assert.equal(outcome, 'timed out after 200 ms');
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  it('reports success and exit codes as before', async () => {
    const dir = await tempDir();
    assert.equal(await runLogged(['/bin/sh', '-c', 'exit 0'], {}, join(dir, 'log'), 10_000), 0);
    assert.equal(await runLogged(['/bin/sh', '-c', 'exit 3'], {}, join(dir, 'log'), 10_000), 'exit 3');
  });
});

const bwrap = await bwrapCase();
const skip =
  bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'package layers are built by a root server here');

/** A cgroup2 tree of plain files: the build's launch script joins it like a real one. */
async function fakeCgroups(seen: Map<string, Record<string, string>>): Promise<CgroupSupport> {
  const dir = await tempDir();
  const own = join(dir, 'cgroup', 'paddock.service');
  await mkdir(own, { recursive: true });
  await writeFile(join(dir, 'cgroup', 'cgroup.controllers'), 'cpu memory pids\n');
  await writeFile(join(own, 'cgroup.controllers'), 'cpu memory pids\n');
  await writeFile(join(own, 'cgroup.subtree_control'), '');
  await writeFile(join(dir, 'self'), '0::/paddock.service\n');
  return detectCgroups({
    root: join(dir, 'cgroup'),
    selfCgroup: join(dir, 'self'),
    removeDir: async (cgroup) => {
      const files: Record<string, string> = {};
      for (const name of readdirSync(cgroup)) files[name] = await readFile(join(cgroup, name), 'utf8');
      seen.set(cgroup, files);
      await rm(cgroup, { recursive: true });
    },
  });
}

describe('package-layer builds: limits and timeout (bwrap)', { skip }, () => {
  const base = () => {
    const entry = readdirSync(TEST_ROOTFS_DIR).find(
      (name) => name.startsWith('bookworm-minbase-') && !name.includes('.'),
    );
    return join(TEST_ROOTFS_DIR, entry!);
  };
  const host = probeBwrap();
  const options = async (cgroups: CgroupSupport, buildTimeoutMs: number) => {
    const dir = await tempDir();
    if ('missing' in host) throw new Error(host.missing);
    return {
      cacheDir: join(dir, 'cache'),
      base: base(),
      host,
      hostUid: 100_000,
      confine: await ensureConfineHelper(TEST_ROOTFS_DIR),
      cgroups,
      limits: { memoryBytes: 512 * 1024 ** 2, pids: 256, cpus: 1 },
      buildTimeoutMs,
      sessionsDir: join(dir, 'sandboxes'),
      log: () => {},
    };
  };

  it('the build runs in its own cgroup with the server limits, removed afterwards', {
    timeout: 120_000,
  }, async () => {
    const seen = new Map<string, Record<string, string>>();
    const cgroups = await fakeCgroups(seen);
    assert.ok(cgroups.available);
    // A package that does not exist: the build fails (with or without a network) after it has started.
    await assert.rejects(
      ensurePackageLayer({ apt: ['paddock-no-such-package'] }, await options(cgroups, 120_000)),
      /package layer build failed/,
    );
    assert.equal(seen.size, 1, 'one cgroup, destroyed with the build');
    const [path, files] = [...seen][0]!;
    assert.match(path, /\/paddock\/layer-[0-9a-f]{16}-/);
    assert.equal(files['memory.max'], String(512 * 1024 ** 2));
    assert.equal(files['pids.max'], '256');
    assert.equal(files['cpu.max'], '100000 100000');
    assert.match(files['cgroup.procs'] ?? '', /^\d+\n$/, 'the launch shell joined before starting bwrap');
    assert.equal(files['cgroup.kill'], '1');
  });

  it('an expired build is a clear error, not a hang', { timeout: 60_000 }, async () => {
    const seen = new Map<string, Record<string, string>>();
    const started = Date.now();
    await assert.rejects(
      ensurePackageLayer({ apt: ['paddock-timeout-probe'] }, await options(await fakeCgroups(seen), 50)),
      (error: Error) => {
        assert.match(error.message, /package layer build failed \(apt:paddock-timeout-probe\)/);
        assert.match(error.message, /timed out after 50 ms \(PADDOCK_LAYER_BUILD_TIMEOUT_MS\)/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 20_000);
    assert.equal(seen.size, 1, 'its cgroup is gone too');
  });

  it('PADDOCK_LAYER_BUILD_TIMEOUT_MS reaches builds started by the driver', { timeout: 60_000 }, async () => {
    const { driver, config } = await bwrap.create({ env: { PADDOCK_LAYER_BUILD_TIMEOUT_MS: '1' } });
    try {
      const withPackages: SandboxSpec = { ...spec('t1'), packages: { apt: ['paddock-timeout-probe'] } };
      await assert.rejects(
        driver.acquire(withPackages),
        /timed out after 1 ms \(PADDOCK_LAYER_BUILD_TIMEOUT_MS\)/,
      );
    } finally {
      await driver.close();
      await rm(config.dataDir, { recursive: true, force: true });
    }
  });
});
