import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type CgroupPaths, detectCgroups, SessionCgroup } from '../../src/sandbox/bwrap/cgroups.js';

// Fake cgroup trees of plain files in a temp dir: what detection and the per-session setup write,
// checked without touching the host's cgroups (this host is v1; v2 is only reachable this way).
const LIMITS = { memoryBytes: 4 * 1024 ** 3, pids: 1024, cpus: 2 };
const SERVICE = '/system.slice/paddock.service';
const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paddock-cgroups-'));
  temps.push(dir);
  return dir;
}

const read = (path: string) => readFile(path, 'utf8');

/** cgroupfs rmdir ignores interface files; a plain directory needs a recursive remove. Records what the dir held. */
function fakeRemove(seen: Map<string, string | undefined>): CgroupPaths['removeDir'] {
  return async (dir) => {
    seen.set(dir, await read(join(dir, 'cgroup.kill')).catch(() => undefined));
    await rm(dir, { recursive: true });
  };
}

/** A cgroup2 mount with the server's service cgroup delegated to it. */
async function fakeV2(options: { procs: string; enabled?: string }) {
  const dir = await tempDir();
  const root = join(dir, 'cgroup');
  const own = join(root, SERVICE);
  await mkdir(own, { recursive: true });
  await writeFile(join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  await writeFile(join(own, 'cgroup.controllers'), 'cpu memory pids\n');
  await writeFile(join(own, 'cgroup.subtree_control'), options.enabled ?? '');
  // Every non-root cgroup has cgroup.type; the real root has none.
  await writeFile(join(own, 'cgroup.type'), 'domain\n');
  await writeFile(join(own, 'cgroup.procs'), options.procs);
  const selfCgroup = join(dir, 'self-cgroup');
  await writeFile(selfCgroup, `0::${SERVICE}\n`);
  const removed = new Map<string, string | undefined>();
  return { root, own, selfCgroup, removed, paths: { root, selfCgroup, removeDir: fakeRemove(removed) } };
}

describe('cgroups v2 (fake cgroup2 tree)', () => {
  it('moves the server into a leaf, enables controllers, and limits a session', async () => {
    const fake = await fakeV2({ procs: '4242\n4243\n' });
    const support = await detectCgroups(fake.paths);
    assert.ok(support.available, JSON.stringify(support));
    assert.equal(support.version, 2);
    const base = join(fake.own, 'paddock');
    assert.deepEqual(support.bases, { unified: base });
    // The no-internal-processes rule: the service's own processes leave before it delegates controllers.
    assert.equal(await read(join(fake.own, 'paddock-server', 'cgroup.procs')), '4242\n4243\n');
    assert.equal(await read(join(fake.own, 'cgroup.subtree_control')), '+memory +pids +cpu');
    assert.equal(await read(join(base, 'cgroup.subtree_control')), '+memory +pids +cpu');

    const cgroup = await SessionCgroup.create(support, 'sesn_1', LIMITS);
    const dir = join(base, 'sesn_1');
    assert.equal(await read(join(dir, 'memory.max')), String(4 * 1024 ** 3));
    assert.equal(await read(join(dir, 'memory.swap.max')), '0');
    assert.equal(await read(join(dir, 'pids.max')), '1024');
    assert.equal(await read(join(dir, 'cpu.max')), '200000 100000');
    assert.deepEqual(cgroup.procsFiles, [join(dir, 'cgroup.procs')]);

    await cgroup.destroy();
    assert.equal(fake.removed.get(dir), '1', 'cgroup.kill was written before the directory was removed');
    assert.ok(!existsSync(dir));
  });

  it('a second detection (the server already in its leaf) reuses the delegated cgroup', async () => {
    const fake = await fakeV2({ procs: '', enabled: 'cpu memory pids\n' });
    await writeFile(fake.selfCgroup, `0::${SERVICE}/paddock-server\n`);
    const support = await detectCgroups(fake.paths);
    assert.ok(support.available, JSON.stringify(support));
    assert.deepEqual(support.bases, { unified: join(fake.own, 'paddock') });
    assert.ok(!existsSync(join(fake.own, 'paddock-server', 'paddock-server')));
    // Controllers were already on: nothing rewrote the service's subtree_control.
    assert.equal(await read(join(fake.own, 'cgroup.subtree_control')), 'cpu memory pids\n');
  });

  it('an empty cgroup enables its controllers without creating a leaf', async () => {
    const fake = await fakeV2({ procs: '' });
    const support = await detectCgroups(fake.paths);
    assert.ok(support.available);
    assert.ok(!existsSync(join(fake.own, 'paddock-server')));
    assert.equal(await read(join(fake.own, 'cgroup.subtree_control')), '+memory +pids +cpu');
  });

  it('says why when controllers are not writable or not delegated', async () => {
    const fake = await fakeV2({ procs: '' });
    // Root ignores file modes, so a directory stands in for a read-only control file.
    await rm(join(fake.own, 'cgroup.subtree_control'));
    await mkdir(join(fake.own, 'cgroup.subtree_control'));
    await writeFile(join(fake.own, 'cgroup.subtree_control', 'x'), '');
    const unwritable = await detectCgroups(fake.paths);
    assert.equal(unwritable.available, false);
    assert.match(
      !unwritable.available ? unwritable.reason : '',
      /cgroup v2: cannot .*paddock\.service.*Delegate=yes/s,
    );

    const undelegated = await fakeV2({ procs: '' });
    await writeFile(join(undelegated.own, 'cgroup.controllers'), 'cpu\n');
    const support = await detectCgroups(undelegated.paths);
    assert.equal(support.available, false);
    assert.match(!support.available ? support.reason : '', /memory\/pids controller\(s\): not delegated/);
  });

  it('no cgroup filesystem at all is a reason, not an error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'self'), '0::/\n');
    const support = await detectCgroups({ root: join(dir, 'none'), selfCgroup: join(dir, 'self') });
    assert.deepEqual(support, { available: false, reason: `no cgroup filesystem at ${join(dir, 'none')}` });
  });
});

describe('cgroups v1 (fake hierarchies)', () => {
  it('nests under the server cgroup of each controller and writes v1 limits', async () => {
    const dir = await tempDir();
    const root = join(dir, 'cgroup');
    const mounts = [
      `cgroup ${root}/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0`,
      `cgroup ${root}/pids cgroup rw,nosuid,nodev,noexec,relatime,pids 0 0`,
      `cgroup ${root}/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0`,
    ];
    for (const controller of ['memory', 'pids', 'cpu,cpuacct'])
      await mkdir(join(root, controller), { recursive: true });
    await writeFile(join(dir, 'mounts'), `${mounts.join('\n')}\n`);
    await writeFile(join(dir, 'self'), '9:memory:/svc\n8:pids:/svc\n7:cpu,cpuacct:/svc\n0::/\n');
    const removed = new Map<string, string | undefined>();
    const support = await detectCgroups({
      root,
      selfCgroup: join(dir, 'self'),
      mounts: join(dir, 'mounts'),
      removeDir: fakeRemove(removed),
    });
    assert.ok(support.available, JSON.stringify(support));
    assert.equal(support.version, 1);
    assert.deepEqual(support.bases, {
      memory: join(root, 'memory/svc/paddock'),
      pids: join(root, 'pids/svc/paddock'),
      cpu: join(root, 'cpu,cpuacct/svc/paddock'),
    });
    const cgroup = await SessionCgroup.create(support, 's1', { ...LIMITS, cpus: 1.5 });
    assert.equal(
      await read(join(root, 'memory/svc/paddock/s1/memory.limit_in_bytes')),
      String(4 * 1024 ** 3),
    );
    assert.equal(await read(join(root, 'pids/svc/paddock/s1/pids.max')), '1024');
    assert.equal(await read(join(root, 'cpu,cpuacct/svc/paddock/s1/cpu.cfs_quota_us')), '150000');
    assert.equal(await read(join(root, 'cpu,cpuacct/svc/paddock/s1/cpu.cfs_period_us')), '100000');
    assert.equal(cgroup.procsFiles.length, 3);
    await cgroup.destroy();
    assert.equal(removed.size, 3);
    assert.equal(removed.get(join(root, 'memory/svc/paddock/s1')), undefined, 'v1 has no cgroup.kill');
    assert.ok(!existsSync(join(root, 'memory/svc/paddock/s1')));
  });
});
