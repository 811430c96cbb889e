import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createPaddock } from '../src/server.js';
import { childEnv, freePort, spawnPaddock } from '../test/support/paddock-process.js';
import { median, timed } from './stats.js';
import { atMost, type BenchResult, info } from './table.js';

export const BENCH_ADMIN_KEY = 'sk-paddock-bench';

/** Env for a `paddock serve` child on SQLite in a fresh data dir. */
export async function serveEnv(dataDir: string, extra: Record<string, string> = {}) {
  return childEnv({
    PADDOCK_DATA_DIR: dataDir,
    PADDOCK_PORT: String(await freePort()),
    PADDOCK_HOST: '127.0.0.1',
    PADDOCK_ADMIN_KEY: BENCH_ADMIN_KEY,
    ...extra,
  });
}

/** Spawn → first 200 on /health, each run on a fresh data dir (so migrations run too). */
export async function benchServeStart(paddockArgv: string[], runs = 3): Promise<BenchResult[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
    try {
      const env = await serveEnv(dataDir);
      const started = performance.now();
      const child = await spawnPaddock(env, { entry: paddockArgv });
      samples.push(performance.now() - started);
      await child.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return [
    atMost('serve start-to-ready (child, sqlite, median)', median(samples), 'ms', 1000),
    info('serve start-to-ready (child, sqlite, worst)', Math.max(...samples), 'ms'),
  ];
}

/** createPaddock + listen in this process (modules already loaded), fresh SQLite each time. */
export async function benchInProcessStart(runs = 5): Promise<BenchResult[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
    const config = loadConfig({}, { port: 0, host: '127.0.0.1', dataDir, adminKey: BENCH_ADMIN_KEY });
    let close = async () => {};
    samples.push(
      await timed(async () => {
        const paddock = await createPaddock({ config });
        close = () => paddock.close();
        await paddock.listen();
      }),
    );
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return [info('createPaddock + listen (in-process, median)', median(samples), 'ms')];
}
