import { join } from 'node:path';
import { isPostgresUrl } from '../config/config.js';
import type { Store } from '../core/ports/store.js';

/**
 * `postgres://…` selects Postgres; anything else is SQLite in the data dir.
 * Each dialect's driver is imported only when chosen, so a SQLite node never
 * loads pg and vice versa (start-up time and idle memory).
 */
export async function createStore(options: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<Store> {
  const url = options.databaseUrl;
  if (url && isPostgresUrl(url)) {
    const { createPostgresStore } = await import('./postgres/create-postgres-store.js');
    return createPostgresStore(url);
  }
  const { createSqliteStore } = await import('./sqlite/create-sqlite-store.js');
  if (url?.startsWith('sqlite:')) return createSqliteStore(url.slice('sqlite:'.length));
  return createSqliteStore(join(options.dataDir, 'paddock.sqlite'));
}
