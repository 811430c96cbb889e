import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { PaddockConfig } from '../config/config.js';
import { createPaddock } from '../server.js';
import { ensureInitialKey } from './initial-key.js';
import { onStopSignals } from './stop-signals.js';
import { checkUpstreams, describeUpstreams } from './upstreams.js';

export async function runServe(config: PaddockConfig): Promise<void> {
  const startedAt = performance.now();
  announceDataDir(config.dataDir);
  // debug/trace also log every HTTP request (Fastify's pino logger, JSON lines on stdout).
  const paddock = await createPaddock({
    config,
    logger: config.logLevel === 'debug' || config.logLevel === 'trace',
    // In the background after listen: the first turn finds its sandbox driver and provider loaded.
    warmUp: true,
  });
  await ensureInitialKey(paddock, config);
  const url = await paddock.listen();
  const ms = Math.round(performance.now() - startedAt);
  process.stdout.write(`paddock listening on ${url} (${paddock.store.dialect}, ready in ${ms} ms)\n`);
  if (config.console) process.stdout.write(`paddock: console at ${url}/console\n`);
  onStopSignals('paddock', paddock);
  // After the listening line: a slow upstream must not delay start-up, only be reported.
  if (config.harness) process.stdout.write(describeUpstreams(await checkUpstreams(config)));
}

/** Where the state lives; a directory created now under the current one is said out loud. */
function announceDataDir(dataDir: string): void {
  const created = !existsSync(dataDir);
  const below = relative(resolve('.'), dataDir);
  const shown = below !== '' && !below.startsWith('..') && !isAbsolute(below) ? `./${below}` : dataDir;
  process.stdout.write(
    created
      ? `paddock: created the data directory ${shown} (database, files, keys); set PADDOCK_DATA_DIR to keep them elsewhere\n`
      : `paddock: data in ${shown}\n`,
  );
}
