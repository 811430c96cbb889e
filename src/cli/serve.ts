import type { PaddockConfig } from '../config/config.js';
import { createPaddock } from '../server.js';
import { ensureInitialKey } from './initial-key.js';

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
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`paddock: ${signal}, shutting down\n`);
    await paddock.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
