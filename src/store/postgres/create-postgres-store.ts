import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../../core/ports/store.js';
import { createKyselyStore } from '../kysely/kysely-store.js';
import { migrateToLatest } from '../kysely/migrations.js';
import type { Database } from '../kysely/schema.js';
import { translatingUnavailable } from '../kysely/unavailable-translation.js';
import { isPostgresUnavailable } from './postgres-unavailable.js';

// Integer columns come back as strings by default for int8; ours are int4, but
// count()/max() aggregates are int8, so parse them as numbers.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/** Postgres: the multi-node store. Several `paddock serve` nodes may share it. */
export async function createPostgresStore(connectionString: string, poolSize = 10): Promise<Store> {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle connection that the server drops (restart, failover, admin kill) must not crash the
  // process: the pool discards it and the next query opens a new one.
  pool.on('error', (error) => process.stderr.write(`paddock: postgres connection lost: ${error.message}\n`));
  // A checked-out client emits 'error' too (57P01 when the server restarts mid-query), and the
  // pool listens only to idle ones: without this, that error is uncaught and kills the process.
  // The query itself fails with the core's storeUnavailable and its caller retries; the pool
  // drops the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) =>
      process.stderr.write(`paddock: postgres connection lost mid-query: ${error.message}\n`),
    );
  });
  // Driver errors meaning "the database is away" reach the core as its storeUnavailable error.
  const dialect = translatingUnavailable(new PostgresDialect({ pool }), isPostgresUnavailable);
  const db = new Kysely<Database>({ dialect });
  await migrateToLatest(db as Kysely<unknown>, 'postgres');
  return createKyselyStore(db, 'postgres');
}
