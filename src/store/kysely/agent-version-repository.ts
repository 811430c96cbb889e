import type { Kysely } from 'kysely';
import type { AgentVersionRepository } from '../../core/ports/store.js';
import type { Database } from './schema.js';

export class KyselyAgentVersionRepository implements AgentVersionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(agentId: string, version: number, doc: unknown): Promise<void> {
    await this.db
      .insertInto('agent_versions')
      .values({ agent_id: agentId, version, doc: JSON.stringify(doc) })
      .execute();
  }

  async get<TDoc>(agentId: string, version: number): Promise<TDoc | undefined> {
    const row = await this.db
      .selectFrom('agent_versions')
      .select('doc')
      .where('agent_id', '=', agentId)
      .where('version', '=', version)
      .executeTakeFirst();
    return row ? (JSON.parse(row.doc) as TDoc) : undefined;
  }

  async list<TDoc>(agentId: string, options: { limit: number; beforeVersion?: number }): Promise<TDoc[]> {
    let q = this.db.selectFrom('agent_versions').select('doc').where('agent_id', '=', agentId);
    if (options.beforeVersion !== undefined) q = q.where('version', '<', options.beforeVersion);
    const rows = await q.orderBy('version', 'desc').limit(options.limit).execute();
    return rows.map((row) => JSON.parse(row.doc) as TDoc);
  }
}
