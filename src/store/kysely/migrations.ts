import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { DialectMigration, DialectTypes } from './migrations/dialect-migration.js';
import { laterMigrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type SqlDialect = 'sqlite' | 'postgres';

/**
 * Numbered migrations, kept in code so the compiled server carries them.
 * Append new ones; never edit a released one.
 */
const migrations: Record<string, DialectMigration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('resources')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('parent_id', 'text')
        .addColumn('name', 'text')
        .addColumn('status', 'text')
        .addColumn('ref_id', 'text')
        .addColumn('ref_version', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('archived_at', 'text')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('resources_kind_created')
        .on('resources')
        .columns(['kind', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('resources_kind_parent')
        .on('resources')
        .columns(['kind', 'parent_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('resources_kind_name')
        .on('resources')
        .columns(['kind', 'name'])
        .unique()
        .where(sql.ref('name'), 'is not', null)
        .execute();

      await db.schema
        .createTable('agent_versions')
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_versions_pk', ['agent_id', 'version'])
        .execute();

      await db.schema
        .createTable('secrets')
        .addColumn('owner_id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('session_events')
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('thread_id', 'text')
        .addColumn('processed_at', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text')
        .addColumn('doc', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_events_pk', ['session_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('session_events_idempotency')
        .on('session_events')
        .columns(['session_id', 'idempotency_key'])
        .unique()
        .where(sql.ref('idempotency_key'), 'is not', null)
        .execute();

      await db.schema
        .createTable('leases')
        .addColumn('session_id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('paddock_meta')
        .addColumn('key', 'text', (c) => c.notNull().primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002_file_chunks': {
    async up(db: Kysely<unknown>, types: DialectTypes) {
      await db.schema
        .createTable('file_chunks')
        .addColumn('file_id', 'text', (c) => c.notNull())
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('bytes', types.bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('file_chunks_pk', ['file_id', 'idx'])
        .execute();
    },
  },
  '0003_node_heartbeats': {
    // Ownership by liveness: a lapsed lease stays its node's while that node heartbeats.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('node_heartbeats')
        .addColumn('node_id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0004_workspace_snapshots': {
    // The newest snapshot of each session's workspace; its parts live in blob storage.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('workspace_snapshots')
        .addColumn('session_id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('manifest_id', 'text')
        .addColumn('manifest_sha256', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0005_workspaces': {
    // Tenancy: every resource row carries its workspace; rows from before live in the default one.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('workspaces')
        .addColumn('id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('archived_at', 'text')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      const now = new Date().toISOString();
      await sql`insert into workspaces (id, name, created_at, archived_at, doc)
        values ('wrkspc_default', 'Default', ${now}, null, '{}')`.execute(db);
      await db.schema
        .alterTable('resources')
        .addColumn('workspace_id', 'text', (c) => c.notNull().defaultTo('wrkspc_default'))
        .execute();
      await db.schema
        .createIndex('resources_workspace_kind_created')
        .on('resources')
        .columns(['workspace_id', 'kind', 'created_at', 'id'])
        .execute();
      // Names (environments) are unique within a workspace, so one tenant cannot probe another's.
      await db.schema.dropIndex('resources_kind_name').execute();
      await db.schema
        .createIndex('resources_workspace_kind_name')
        .on('resources')
        .columns(['workspace_id', 'kind', 'name'])
        .unique()
        .where(sql.ref('name'), 'is not', null)
        .execute();
      // Keys from before were all-powerful: they stay organization (admin) keys.
      await db.schema.alterTable('api_keys').addColumn('workspace_id', 'text').execute();
      await db.schema
        .alterTable('api_keys')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
        .execute();
      await db.schema.alterTable('api_keys').addColumn('partial_key_hint', 'text').execute();
      await db.schema.alterTable('api_keys').addColumn('created_by', 'text').execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text')
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_log_occurred')
        .on('audit_log')
        .columns(['occurred_at', 'id'])
        .execute();
    },
  },
  '0006_idempotency_keys': {
    // Idempotency-Key on POSTs: the first response per (caller, key), replayed to retries.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('body', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
        .execute();
    },
  },
  '0007_memory_stores': {
    // Memories and their versions; a memory store itself is a `memory_store` resource row.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('memories')
        .addColumn('id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('store_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('content_sha256', 'text', (c) => c.notNull())
        .addColumn('content_size_bytes', 'integer', (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // Two concurrent creates at one path: the second insert fails instead of both landing.
      await db.schema
        .createIndex('memories_store_path')
        .on('memories')
        .columns(['store_id', 'path'])
        .unique()
        .execute();
      await db.schema
        .createTable('memory_versions')
        .addColumn('id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('store_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('memory_id', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('path', 'text')
        .addColumn('content', 'text')
        .addColumn('content_sha256', 'text')
        .addColumn('content_size_bytes', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('session_id', 'text')
        .addColumn('api_key_id', 'text')
        .addColumn('redacted_at', 'text')
        .addColumn('redacted_by', 'text')
        .execute();
      await db.schema
        .createIndex('memory_versions_store_created')
        .on('memory_versions')
        .columns(['store_id', 'created_at', 'id'])
        .execute();
    },
  },
  '0008_environment_builds': {
    // An environment's package build, keyed by everything it depends on, so a failure is not rebuilt.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('environment_builds')
        .addColumn('build_key', 'text', (c) => c.notNull().primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('log_tail', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

const allMigrations: Record<string, DialectMigration> = { ...migrations, ...laterMigrations };

export const SCHEMA_VERSION = Object.keys(allMigrations).length;

class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const types: DialectTypes = { bytes: this.dialect === 'postgres' ? 'bytea' : 'blob' };
    return Object.fromEntries(
      Object.entries(allMigrations).map(([name, migration]) => [
        name,
        { up: (db: Kysely<unknown>) => migration.up(db, types) },
      ]),
    );
  }
}

/** Brings the schema up to the named migration: tests of a migration over older data use it. */
export async function migrateTo(db: Kysely<unknown>, dialect: SqlDialect, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeMigrationProvider(dialect) });
  const { error } = await migrator.migrateTo(name);
  if (error) throw new Error(`migration to ${name} failed: ${String(error)}`, { cause: error });
}

/** Brings the schema up to date. Returns the applied names; throws with the failing one. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: SqlDialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(error)}`, { cause: error });
  }
  // Recorded beside the data, so tools and operators can tell which schema a database holds.
  await (db as Kysely<Pick<Database, 'paddock_meta'>>)
    .insertInto('paddock_meta')
    .values({ key: 'schema_version', value: String(SCHEMA_VERSION) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(SCHEMA_VERSION) }))
    .execute();
  return (results ?? []).map((r) => r.migrationName);
}
