import type { PaddockConfig } from '../config/config.js';
import { createPaddock } from '../server.js';
import { ensureInitialKey } from './initial-key.js';
import { onStopSignals } from './stop-signals.js';

export async function runServe(config: PaddockConfig): Promise<void> {
  const startedAt = performance.now();
  // debug/trace also log every HTTP request (Fastify's pino logger, JSON lines on stdout).
  const paddock = await createPaddock({
    config,
    logger: config.logLevel === 'debug' || config.logLevel === 'trace',
  });
  await ensureInitialKey(paddock, config);
  const url = await paddock.listen();
  const ms = Math.round(performance.now() - startedAt);
  process.stdout.write(`paddock listening on ${url} (${paddock.store.dialect}, ready in ${ms} ms)\n`);
  if (config.console) process.stdout.write(`paddock: console at ${url}/console\n`);
  onStopSignals('paddock', paddock);
}
