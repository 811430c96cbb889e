import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { collectLayers, recordNewestLayer } from '../../src/sandbox/bwrap/layer-gc.js';
import { type PackageLayerOptions, sessionPackageLayer } from '../../src/sandbox/bwrap/package-layer.js';

const DAY = 24 * 60 * 60_000;
const MAX_AGE = 7 * DAY;
const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

/** A layers cache and a sessions dir in a temp dir; no build, only the files GC reads. */
async function fixture() {
  const dir = await mkdtemp(join(tmpdir(), 'paddock-layer-gc-'));
  temps.push(dir);
  const cacheDir = join(dir, 'cache');
  const sessionsDir = join(dir, 'sandboxes');
  await mkdir(sessionsDir, { recursive: true });
  const layer = async (hash: string, ageDays: number, files: Record<string, string> = {}) => {
    const layerDir = join(cacheDir, 'layers', hash);
    await mkdir(join(layerDir, 'root', 'usr'), { recursive: true });
    const when = new Date(Date.now() - ageDays * DAY);
    for (const [name, content] of Object.entries({ ready: 'x\n', 'build.log': '', ...files })) {
      await writeFile(join(layerDir, name), content);
      await utimes(join(layerDir, name), when, when);
    }
    return layerDir;
  };
  const session = async (id: string, hash: string) => {
    await mkdir(join(sessionsDir, id), { recursive: true });
    await writeFile(join(sessionsDir, id, 'package-layer'), hash);
  };
  return { dir, cacheDir, sessionsDir, layer, session };
}

const hash = (letter: string) => letter.repeat(16);

function deadPid(): number {
  const child = spawnSync('/bin/sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

describe('package layer GC', () => {
  it('removes only old layers nobody records, mounts, builds or has as newest', async () => {
    const f = await fixture();
    await f.layer(hash('a'), 30); // old, unused: goes
    await f.layer(hash('b'), 30); // a live session records it
    await f.session('sesn_live', hash('b'));
    await f.layer(hash('c'), 30); // its environment's newest
    await recordNewestLayer(f.cacheDir, 'env_quiet', hash('c'));
    await f.layer(hash('d'), 1); // used recently
    await f.layer(hash('e'), 30); // a running sandbox mounts it
    await f.layer(hash('f'), 30, { lock: `${process.pid}\n` }); // a build in progress
    await f.layer(hash('0'), 30, { lock: `${deadPid()}\n` }); // a crashed build's stale lock
    await f.layer(hash('1'), 30, { used: '' }); // built long ago but used yesterday:
    await utimes(join(f.cacheDir, 'layers', hash('1'), 'used'), new Date(), new Date(Date.now() - DAY));
    await mkdir(join(f.cacheDir, 'layers', `.gc-${hash('9')}-123`, 'root'), { recursive: true });
    await writeFile(join(f.cacheDir, 'layers', 'README'), 'not a layer');
    const mountTable = async () =>
      `812 790 0:88 / / rw - overlay paddock rw,lowerdir=${f.cacheDir}/layers/${hash('e')}/root:/base,upperdir=/u,workdir=/w\n`;

    const removed = await collectLayers({
      cacheDir: f.cacheDir,
      sessionsDir: f.sessionsDir,
      maxAgeMs: MAX_AGE,
      mountTable,
    });
    assert.deepEqual(removed.sort(), [hash('0'), hash('a')]);
    const left = (await readdir(join(f.cacheDir, 'layers'))).sort();
    assert.deepEqual(
      left,
      [hash('1'), 'README', hash('b'), hash('c'), hash('d'), hash('e'), hash('f')].sort(),
    );
    assert.ok(existsSync(join(f.cacheDir, 'layers', hash('f'), 'lock')), "a live build's lock is left alone");
  });

  it('an environment whose config changed lets its older layer go, and a session start marks a layer used', async () => {
    const f = await fixture();
    await f.layer(hash('a'), 30);
    await f.layer(hash('b'), 30);
    await recordNewestLayer(f.cacheDir, 'env/with odd:chars', hash('a'));
    await recordNewestLayer(f.cacheDir, 'env/with odd:chars', hash('b'));
    // A stopped session of this server restarts on its recorded layer: that counts as a use.
    await f.session('sesn_old', hash('a'));
    const options = { cacheDir: f.cacheDir, log: () => {} } as unknown as PackageLayerOptions;
    const root = await sessionPackageLayer(join(f.sessionsDir, 'sesn_old'), { environmentId: 'e' }, options);
    assert.equal(root, join(f.cacheDir, 'layers', hash('a'), 'root'));
    const used = await stat(join(f.cacheDir, 'layers', hash('a'), 'used'));
    assert.ok(Date.now() - used.mtimeMs < 60_000);
    await rm(join(f.sessionsDir, 'sesn_old'), { recursive: true }); // the session is deleted
    const gc = () =>
      collectLayers({
        cacheDir: f.cacheDir,
        sessionsDir: f.sessionsDir,
        maxAgeMs: MAX_AGE,
        mountTable: async () => '',
      });
    assert.deepEqual(await gc(), [], 'recently used, so kept for now');
    const later = Date.now() + 8 * DAY;
    const removed = await collectLayers({
      cacheDir: f.cacheDir,
      sessionsDir: f.sessionsDir,
      maxAgeMs: MAX_AGE,
      now: later,
      mountTable: async () => '',
    });
    assert.deepEqual(removed, [hash('a')], 'b stays: it is the newest for its environment');
  });

  it('a layer a process really mounts (in its own mount namespace) is kept', {
    skip: process.getuid?.() === 0 ? undefined : 'mounting needs root',
  }, async () => {
    const f = await fixture();
    const layerDir = await f.layer(hash('a'), 30);
    // What a sandbox does: a private mount namespace whose mounts name the layer's root.
    const holder = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        '--',
        '/bin/sh',
        '-c',
        `mount -t tmpfs paddock-test "$1" && echo mounted && exec sleep 60`,
        'sh',
        join(layerDir, 'root'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('mounted') && resolve());
        holder.once('exit', (code) => reject(new Error(`unshare exited ${code}`)));
      });
      const options = { cacheDir: f.cacheDir, sessionsDir: f.sessionsDir, maxAgeMs: MAX_AGE };
      assert.deepEqual(await collectLayers(options), [], 'kept while mounted');
      assert.ok(existsSync(join(layerDir, 'ready')));
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
      assert.deepEqual(await collectLayers(options), [hash('a')], 'removed once nothing mounts it');
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
