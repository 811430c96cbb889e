import type { Kysely } from 'kysely';
import type { EnvironmentBuildRecord, EnvironmentBuildRepository } from '../../core/ports/store.js';
import type { Database } from './schema.js';

export class KyselyEnvironmentBuildRepository implements EnvironmentBuildRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(buildKey: string): Promise<EnvironmentBuildRecord | undefined> {
    const row = await this.db
      .selectFrom('environment_builds')
      .selectAll()
      .where('build_key', '=', buildKey)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      buildKey: row.build_key,
      status: row.status as EnvironmentBuildRecord['status'],
      logTail: row.log_tail,
      updatedAt: row.updated_at,
    };
  }

  async put(record: EnvironmentBuildRecord): Promise<void> {
    const values = { status: record.status, log_tail: record.logTail, updated_at: record.updatedAt };
    await this.db
      .insertInto('environment_builds')
      .values({ build_key: record.buildKey, ...values })
      .onConflict((oc) => oc.column('build_key').doUpdateSet(values))
      .execute();
  }
}
