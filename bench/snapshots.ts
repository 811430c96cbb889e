import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileBlobStore } from '../src/file-blobs/create-file-blob-store.js';
import { createManagedDriver, type RunningSandbox } from '../src/sandbox/managed-driver.js';
import { BlobWorkspaceSnapshots } from '../src/sandbox/snapshots/workspace-snapshots.js';
import { createTestDatabase } from '../test/support/databases.js';
import { median } from './stats.js';
import { atMost, type BenchResult, info } from './table.js';

/**
 * Workspace snapshots on one machine (SQLite head, disk blob store, so the figures are the
 * snapshot code's own, not a network's): a first snapshot and a restore on another node of
 * 1,000 small files and of one 100 MB file, and what a turn's end adds when nothing changed.
 */
export async function benchSnapshots(): Promise<BenchResult[]> {
  const database = await createTestDatabase('sqlite');
  const store = await database.open();
  const scratch = mkdtempSync(join(tmpdir(), 'paddock-bench-snapshots-'));
  const blobs = createFileBlobStore({ fileStorage: 'disk', dataDir: database.dataDir }, store, 'snapshots');
  const node = (name: string) =>
    new BlobWorkspaceSnapshots({
      repository: store.workspaceSnapshots,
      blobs,
      stateDir: join(scratch, name),
      stageDir: join(database.dataDir, 'snapshots'),
      maxBytes: 10 * 1024 ** 3,
      restoreOwners: false,
      log: () => undefined,
    });
  const workspace = (name: string) => {
    const dir = join(scratch, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const timed = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  try {
    const results: BenchResult[] = [];
    // 1,000 small files (1 KiB of text each) in 20 directories.
    const small = workspace('small-a');
    await node('a1').restore('sesn_small', small);
    for (let index = 0; index < 1000; index++) {
      const dir = join(small, `dir${index % 20}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `file${index}.ts`), `${randomBytes(384).toString('base64')}\n`.repeat(2));
    }
    const writer = node('a1');
    await writer.restore('sesn_small', small);
    results.push(
      info('snapshot: 1,000 small files (first)', await timed(() => writer.save('sesn_small', small)), 'ms'),
    );
    results.push(
      info(
        'restore: 1,000 small files (other node)',
        await timed(() => node('b1').restore('sesn_small', workspace('small-b'))),
        'ms',
      ),
    );
    const unchanged: number[] = [];
    for (let run = 0; run < 30; run++) unchanged.push(await timed(() => writer.save('sesn_small', small)));
    results.push(
      info('turn end after bash, no changes (scan of 1,000 files), median', median(unchanged), 'ms'),
    );
    // The usual turn end: the managed driver's end-of-turn call when no file-changing tool ran.
    const driver = createManagedDriver(
      {
        name: 'bench',
        async start(_spec, hooks) {
          await hooks?.prepared?.(small);
          const inside = {
            workdir: '/',
            spawn: () => {
              throw new Error('no processes in this bench');
            },
          };
          const running: RunningSandbox = {
            inside,
            alive: true,
            outputsDir: '/nowhere',
            stop: async () => {},
          };
          return running;
        },
        removeFiles: async () => undefined,
      },
      { idleTimeoutMs: 0, snapshots: { store: writer, log: () => undefined } },
    );
    await driver.acquire({
      sessionId: 'sesn_small',
      environmentId: 'env_bench',
      network: { type: 'limited' },
    });
    const quiet: number[] = [];
    for (let run = 0; run < 30; run++)
      quiet.push(await timed(() => driver.flushOutputs?.('sesn_small') ?? Promise.resolve()));
    results.push(atMost('turn end, no file-changing tool ran, median', median(quiet), 'ms', 5));
    await driver.close();
    writeFileSync(join(small, 'dir0', 'file0.ts'), 'changed\n');
    results.push(
      info('snapshot: 1 of 1,000 files changed', await timed(() => writer.save('sesn_small', small)), 'ms'),
    );

    // What a cold turn pays: the check at a new session's first sandbox start, and the first
    // snapshot of a workspace of a few files at its end.
    const fresh = workspace('fresh');
    const freshNode = node('c1');
    results.push(
      info(
        'sandbox start: snapshot check, new session',
        await timed(() => freshNode.restore('sesn_fresh', fresh)),
        'ms',
      ),
    );
    for (const name of ['a.txt', 'b.txt', 'c.txt']) writeFileSync(join(fresh, name), `${name}\n`);
    results.push(
      info(
        'turn end: first snapshot of 3 small files',
        await timed(() => freshNode.save('sesn_fresh', fresh)),
        'ms',
      ),
    );

    // One 100 MB file (random: incompressible, the worst case for time).
    const large = workspace('large-a');
    const largeWriter = node('a2');
    await largeWriter.restore('sesn_large', large);
    writeFileSync(join(large, 'blob.bin'), randomBytes(100 * 1024 * 1024));
    results.push(
      info('snapshot: one 100 MB file', await timed(() => largeWriter.save('sesn_large', large)), 'ms'),
    );
    results.push(
      info(
        'restore: one 100 MB file (other node)',
        await timed(() => node('b2').restore('sesn_large', workspace('large-b'))),
        'ms',
      ),
    );
    return results;
  } finally {
    await store.close();
    await database.drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
