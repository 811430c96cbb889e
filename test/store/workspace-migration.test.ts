import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateTo } from '../../src/store/kysely/migrations.js';
import { createTestDatabase, DIALECTS } from '../support/databases.js';

/** Migration 0005: rows and keys from before tenancy land in the default workspace. */
for (const dialect of DIALECTS) {
  describe(`migration 0005_workspaces over existing data (${dialect})`, () => {
    it('moves every resource into the default workspace and keeps old keys organization keys', async () => {
      const database = await createTestDatabase(dialect);
      const pool =
        dialect === 'postgres' ? new pg.Pool({ connectionString: database.url, max: 2 }) : undefined;
      const db = new Kysely<unknown>({
        dialect: pool
          ? new PostgresDialect({ pool })
          : new SqliteDialect({ database: new SqliteDatabase(`${database.dataDir}/paddock.sqlite`) }),
      });
      try {
        await migrateTo(db, dialect, '0004_workspace_snapshots');
        const now = new Date().toISOString();
        await sql`insert into resources (kind, id, parent_id, name, status, ref_id, ref_version, created_at, updated_at, archived_at, doc)
          values ('agent', 'agent_old', null, null, null, null, 1, ${now}, ${now}, null, '{}'),
                 ('environment', 'env_old', null, 'prod', null, null, null, ${now}, ${now}, null, '{}')`.execute(
          db,
        );
        await sql`insert into api_keys (id, name, hash, created_at) values ('key_old', 'old', 'hash_old', ${now})`.execute(
          db,
        );
        await db.destroy();
        const store = await database.open();
        try {
          const agent = await store.resources.get('agent', 'agent_old');
          assert.equal(agent?.workspaceId, 'wrkspc_default');
          assert.equal(
            (await store.resources.findByName('environment', 'prod'))?.workspaceId,
            'wrkspc_default',
          );
          const key = await store.apiKeys.get('key_old');
          assert.equal(key?.workspaceId, null, 'all-powerful before, an organization key after');
          assert.equal(key?.status, 'active');
          const workspaces = await store.workspaces.list();
          assert.deepEqual(
            workspaces.map((workspace) => workspace.id),
            ['wrkspc_default'],
          );
        } finally {
          await store.close();
        }
      } finally {
        await database.drop();
      }
    });
  });
}
