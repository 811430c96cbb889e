import { join } from 'node:path';
import type { Store } from '../core/ports/store.js';
import { createPostgresStore } from './postgres/create-postgres-store.js';
import { createSqliteStore } from './sqlite/create-sqlite-store.js';

/** `postgres://…` selects Postgres; anything else is SQLite in the data dir. */
export function openStore(options: { databaseUrl: string | undefined; dataDir: string }): Promise<Store> {
  const url = options.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) return createPostgresStore(url);
  if (url?.startsWith('sqlite:')) return createSqliteStore(url.slice('sqlite:'.length));
  return createSqliteStore(join(options.dataDir, 'paddock.sqlite'));
}
