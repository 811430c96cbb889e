import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from '../../core/ports/store.js';
import { createKyselyStore } from '../kysely/kysely-store.js';
import { migrateToLatest } from '../kysely/migrations.js';
import type { Database } from '../kysely/schema.js';
import { withStatementCache } from './statement-cache.js';

/** SQLite in WAL mode: the single-node default, kept in the data dir. */
export async function createSqliteStore(filename: string): Promise<Store> {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const database = new SqliteDatabase(filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  return createKyselyStore(db, 'sqlite');
}
