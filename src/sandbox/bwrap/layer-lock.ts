import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { processAlive } from '../process-alive.js';

const POLL_MS = 250;
const WAIT_LIMIT_MS = 45 * 60_000;
const held = new Map<string, Promise<void>>();

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL, holding
 * the owner's pid). Another process waits for it; a lock whose owner died is
 * taken over, so a crashed build never blocks later ones. Callers in this
 * process are chained first, since a pid check cannot tell them apart.
 */
export async function withLayerLock(path: string, fn: () => Promise<void>): Promise<void> {
  const previous = held.get(path) ?? Promise.resolve();
  const mine = previous.catch(() => {}).then(() => locked(path, fn));
  const tracked = mine.catch(() => {});
  held.set(path, tracked);
  try {
    await mine;
  } finally {
    if (held.get(path) === tracked) held.delete(path);
  }
}

async function locked(path: string, fn: () => Promise<void>): Promise<void> {
  await acquire(path);
  try {
    await fn();
  } finally {
    await rm(path, { force: true });
  }
}

async function acquire(path: string): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Layer GC removed the directory meanwhile (layer-gc.ts): the build starts over in a new one.
      if (code === 'ENOENT') {
        await mkdir(dirname(path), { recursive: true, mode: 0o755 });
        continue;
      }
      if (code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    // A pid-less file is a lock being written right now; only a dead owner is stale.
    if (owner > 0 && !processAlive(owner)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${path}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
