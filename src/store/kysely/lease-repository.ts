import type { Kysely } from 'kysely';
import { type LeaseRepository, RELEASED_LEASE } from '../../core/ports/store.js';
import { runCompiled } from './compiled-statements.js';
import type { Database } from './schema.js';

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
    // Checked before every append of the harness: compiled once (compiled-statements.ts).
    const [row] = await runCompiled<Database['leases']>(this.db, 'leases.holder', [sessionId], () =>
      this.db.selectFrom('leases').selectAll().where('session_id', '=', sessionId),
    );
    return row ? { owner: row.owner, expiresAt: row.expires_at } : undefined;
  }
}
