import { isPostgresUrl } from '../config/config.js';
import type { EventBus } from '../core/ports/event-bus.js';
import type { Store } from '../core/ports/store.js';
import { InProcessBus } from './in-process/in-process-bus.js';

/**
 * Postgres stores get LISTEN/NOTIFY so every node sees every event. Without a
 * connection string (a Postgres store injected by a test or embedder) only
 * this process can be reached, which the in-process bus serves correctly.
 */
export async function createEventBus(store: Store, databaseUrl: string | undefined): Promise<EventBus> {
  if (store.dialect === 'postgres' && databaseUrl && isPostgresUrl(databaseUrl)) {
    // Imported only for Postgres deployments: SQLite nodes never load the pg driver.
    const { PostgresBus } = await import('./postgres/postgres-bus.js');
    return PostgresBus.connect(databaseUrl, store.events);
  }
  return new InProcessBus();
}
