import type { Kysely } from 'kysely';
import type { DialectMigration } from './dialect-migration.js';

/**
 * Deployment runs (#15). A deployment itself is a `deployment` resource row; its runs need
 * their own filters (trigger, error) and one uniqueness: a scheduled tick of a deployment is
 * recorded once, whichever node fires it first (NULL scheduled_at, a manual run, never clashes).
 */
export const deploymentsMigration: DialectMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('deployment_runs')
      .addColumn('id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('deployment_id', 'text', (c) => c.notNull())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('trigger_type', 'text', (c) => c.notNull())
      .addColumn('scheduled_at', 'text')
      .addColumn('session_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('has_error', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('doc', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('deployment_runs_tick')
      .on('deployment_runs')
      .columns(['deployment_id', 'scheduled_at'])
      .unique()
      .execute();
    await db.schema
      .createIndex('deployment_runs_listing')
      .on('deployment_runs')
      .columns(['workspace_id', 'created_at', 'id'])
      .execute();
    await db.schema.createIndex('deployment_runs_status').on('deployment_runs').columns(['status']).execute();
    await db.schema
      .createIndex('deployment_runs_session')
      .on('deployment_runs')
      .columns(['session_id'])
      .execute();
  },
};
