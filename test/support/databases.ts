import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import type { Store } from '../../src/core/ports/store.js';
import { reclaimDiskMounts } from '../../src/sandbox/bwrap/disk-quota.js';
import { sessionsDir } from '../../src/sandbox/bwrap/session-layer.js';
import { createPostgresStore } from '../../src/store/postgres/create-postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/create-sqlite-store.js';

/** The Postgres every test uses: the machine's, with a throwaway database per store. */
export const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  dialect: Dialect;
  /** For a second process (e.g. a restarted server) to open the same data. */
  url: string;
  dataDir: string;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

/**
 * A server killed with a sandbox running leaves its session disk mounted under the data dir
 * (its next start would reclaim it); a test that ends there unmounts it, or the remove fails busy.
 */
async function releaseSandboxDisks(dataDir: string): Promise<void> {
  await reclaimDiskMounts(sessionsDir(dataDir));
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-test-'));
  if (dialect === 'sqlite') {
    const file = join(dataDir, 'paddock.sqlite');
    return {
      dialect,
      url: `sqlite:${file}`,
      dataDir,
      open: () => createSqliteStore(file),
      drop: async () => {
        await releaseSandboxDisks(dataDir);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `paddock_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  return {
    dialect,
    url,
    dataDir,
    open: () => createPostgresStore(url, 5),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      await releaseSandboxDisks(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The open store and its database for one describe block, valid between its before and after. */
export interface SuiteStore {
  readonly database: TestDatabase;
  readonly store: Store;
}

/** A fresh database and open store for the enclosing describe: created before its tests, dropped after. */
export function storePerSuite(dialect: Dialect): SuiteStore {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  before(async () => {
    database = await createTestDatabase(dialect);
    store = await database.open();
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });
  return {
    get database() {
      if (!database) throw new Error('the suite database is used outside its describe block');
      return database;
    },
    get store() {
      if (!store) throw new Error('the suite store is used outside its describe block');
      return store;
    },
  };
}
