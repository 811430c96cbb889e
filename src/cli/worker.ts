import { isPostgresUrl, type PaddockConfig } from '../config/config.js';
import { createPaddock } from '../server.js';
import { onStopSignals } from './stop-signals.js';

/**
 * A worker node: drives sessions (harness, sandboxes, MCP) for API nodes that
 * run with PADDOCK_HARNESS=false. It serves no API; it learns of work through
 * Postgres (LISTEN/NOTIFY signals, leases, node heartbeats, and a periodic sweep
 * for sessions whose owner died or whose signal was lost), so it needs the same
 * database and PADDOCK_SECRET_KEY as the API nodes.
 */
export async function runWorker(config: PaddockConfig): Promise<void> {
  if (!isPostgresUrl(config.databaseUrl))
    throw new Error(
      'paddock worker needs PADDOCK_DATABASE_URL=postgres://… (shared with the API nodes); with SQLite, run `paddock serve` alone',
    );
  // warmUp: the first session's turn finds its sandbox driver and provider loaded.
  const paddock = await createPaddock({ config, warmUp: true });
  await paddock.startHarness();
  process.stdout.write(`paddock worker running (${paddock.store.dialect}, pid ${process.pid})\n`);
  onStopSignals('paddock worker', paddock);
}
