import { mkdir, open, readdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '../process-alive.js';

/** Unused this long, a package layer that is nobody's newest may go (rebuilt on demand if needed again). */
export const LAYER_MAX_AGE_MS = 7 * 24 * 60 * 60_000;
const TRASH_PREFIX = '.gc-';

export interface LayerGcOptions {
  /** The rootfs cache: layers are `<cacheDir>/layers/<hash>/`. */
  cacheDir: string;
  /** This server's session directories (`<dataDir>/sandboxes`), each naming its layer in `package-layer`. */
  sessionsDir: string;
  maxAgeMs: number;
  now?: number;
  /**
   * Text naming every path some process has mounted. Default: the mountinfo
   * of every mount namespace on the host, which covers sandboxes of other
   * servers sharing this cache.
   */
  mountTable?: () => Promise<string>;
}

/**
 * Removes package layers nothing needs any more, and says which. A layer is
 * kept while a session of this server records it, while any process mounts
 * it, while it is the newest layer of some environment, while a build holds
 * its lock, or while it was used within `maxAgeMs`. A removed layer first
 * moves aside in one rename, so nobody sees it half deleted.
 */
export async function collectLayers(options: LayerGcOptions): Promise<string[]> {
  const layersDir = join(options.cacheDir, 'layers');
  const entries = await readdir(layersDir).catch(() => [] as string[]);
  for (const entry of entries)
    if (entry.startsWith(TRASH_PREFIX)) await rm(join(layersDir, entry), { recursive: true, force: true });
  const candidates = entries.filter((entry) => /^[0-9a-f]{16}$/.test(entry));
  if (candidates.length === 0) return [];
  const now = options.now ?? Date.now();
  const old: string[] = [];
  for (const hash of candidates)
    if (now - (await lastUsed(join(layersDir, hash))) > options.maxAgeMs) old.push(hash);
  if (old.length === 0) return [];
  const kept = new Set([
    ...(await sessionLayers(options.sessionsDir)),
    ...(await newestLayers(options.cacheDir)),
  ]);
  const mounts = await (options.mountTable ?? hostMountTable)();
  const removed: string[] = [];
  for (const hash of old) {
    if (kept.has(hash) || mounts.includes(`/layers/${hash}/`)) continue;
    const dir = join(layersDir, hash);
    // Holding the lock keeps a build of this hash from starting in a directory going away.
    if (!(await tryLock(join(dir, 'lock')))) continue;
    // Re-checked under the lock: a session may have picked the layer meanwhile (it touches `used`).
    const usedSince = now - (await lastUsed(dir, ['used']));
    if (usedSince <= options.maxAgeMs || (await sessionLayers(options.sessionsDir)).has(hash)) {
      await rm(join(dir, 'lock'), { force: true });
      continue;
    }
    const trash = join(layersDir, `${TRASH_PREFIX}${hash}-${process.pid}`);
    await rename(dir, trash);
    await rm(trash, { recursive: true, force: true });
    removed.push(hash);
  }
  return removed;
}

/** Marks a layer as used now (the age GC goes by). */
export async function touchLayer(dir: string): Promise<void> {
  const handle = await open(join(dir, 'used'), 'w');
  await handle.close();
}

/** Records that new sessions of `environmentId` get this layer: it stays while the config stands. */
export async function recordNewestLayer(
  cacheDir: string,
  environmentId: string,
  hash: string,
): Promise<void> {
  const dir = join(cacheDir, 'layer-environments');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, encodeURIComponent(environmentId)), hash);
}

/** `used` for layers in use, `ready` for one built but never used, `build.log` for a failed build. */
async function lastUsed(dir: string, names = ['used', 'ready', 'build.log']): Promise<number> {
  let latest = 0;
  for (const name of names) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info) latest = Math.max(latest, info.mtimeMs);
  }
  // None of them yet: a build that has only just made its directory.
  if (latest === 0 && names.length > 1) latest = (await stat(dir).catch(() => undefined))?.mtimeMs ?? 0;
  return latest;
}

async function sessionLayers(sessionsDir: string): Promise<Set<string>> {
  const hashes = new Set<string>();
  for (const session of await readdir(sessionsDir).catch(() => [] as string[])) {
    const hash = await readFile(join(sessionsDir, session, 'package-layer'), 'utf8').catch(() => '');
    if (hash) hashes.add(hash.trim());
  }
  return hashes;
}

async function newestLayers(cacheDir: string): Promise<string[]> {
  const dir = join(cacheDir, 'layer-environments');
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(names.map(async (name) => (await readFile(join(dir, name), 'utf8')).trim()));
}

/** The lock file protocol of layer-lock.ts, without waiting: false when someone alive holds it. */
async function tryLock(path: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (!(owner > 0) || processAlive(owner)) return false;
    await rm(path, { force: true });
  }
  return false;
}

/** One mountinfo per mount namespace: sandboxes mount their layers in private namespaces. */
async function hostMountTable(): Promise<string> {
  const seen = new Set<string>();
  const tables: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const namespace = await readlink(`/proc/${entry}/ns/mnt`).catch(() => entry);
    if (seen.has(namespace)) continue;
    seen.add(namespace);
    tables.push(await readFile(`/proc/${entry}/mountinfo`, 'utf8').catch(() => ''));
  }
  return tables.join('');
}
