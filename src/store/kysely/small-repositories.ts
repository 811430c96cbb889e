import type { Kysely } from 'kysely';
import {
  type AgentVersionRepository,
  type LeaseRepository,
  type MetaRepository,
  RELEASED_LEASE,
  type SecretRepository,
} from '../../core/ports/store.js';
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

export class KyselySecretRepository implements SecretRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async put(ownerId: string, ciphertext: string): Promise<void> {
    await this.db
      .insertInto('secrets')
      .values({ owner_id: ownerId, ciphertext })
      .onConflict((oc) => oc.column('owner_id').doUpdateSet({ ciphertext }))
      .execute();
  }

  async get(ownerId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('secrets')
      .select('ciphertext')
      .where('owner_id', '=', ownerId)
      .executeTakeFirst();
    return row?.ciphertext;
  }

  async delete(ownerId: string): Promise<void> {
    await this.db.deleteFrom('secrets').where('owner_id', '=', ownerId).execute();
  }
}

export class KyselyLeaseRepository implements LeaseRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async acquire(
    sessionId: string,
    owner: string,
    expiresAt: string,
    now: string,
    liveSince?: string,
  ): Promise<boolean> {
    // One statement, so two nodes racing for the same lease cannot both win, and the owner's
    // liveness is read in the same statement that takes its lease.
    const result = await this.db
      .insertInto('leases')
      .values({ session_id: sessionId, owner, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('session_id')
          .doUpdateSet({ owner, expires_at: expiresAt })
          .where((eb) => {
            const lapsed = eb('leases.expires_at', '<', now);
            const takeable =
              liveSince === undefined
                ? lapsed
                : eb.and([
                    lapsed,
                    eb.not(
                      eb.exists(
                        eb
                          .selectFrom('node_heartbeats')
                          .select('node_heartbeats.node_id')
                          .whereRef('node_heartbeats.node_id', '=', 'leases.owner')
                          .where('node_heartbeats.state', '=', 'live')
                          .where('node_heartbeats.heartbeat_at', '>=', liveSince),
                      ),
                    ),
                  ]);
            return eb.or([eb('leases.owner', '=', owner), takeable]);
          }),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async release(sessionId: string, owner: string): Promise<void> {
    await this.db
      .deleteFrom('leases')
      .where('session_id', '=', sessionId)
      .where('owner', '=', owner)
      .execute();
  }

  async handOff(sessionId: string, owner: string): Promise<void> {
    await this.db
      .updateTable('leases')
      .set({ expires_at: RELEASED_LEASE })
      .where('session_id', '=', sessionId)
      .where('owner', '=', owner)
      .execute();
  }

  async holder(sessionId: string): Promise<{ owner: string; expiresAt: string } | undefined> {
    const row = await this.db
      .selectFrom('leases')
      .selectAll()
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return row ? { owner: row.owner, expiresAt: row.expires_at } : undefined;
  }
}

export class KyselyMetaRepository implements MetaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('paddock_meta')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.db
      .insertInto('paddock_meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.get(key)) ?? value;
  }
}
