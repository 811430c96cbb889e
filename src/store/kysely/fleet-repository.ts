import { type Kysely, sql } from 'kysely';
import type { FleetRepository, NodeHeartbeat, NodeState } from '../../core/ports/store.js';
import type { Database } from './schema.js';

/** Client input the harness answers; `user.interrupt` alone leaves nothing to do. */
const INPUT_TYPES = ['user.message', 'user.tool_confirmation', 'user.custom_tool_result', 'user.tool_result'];

export class KyselyFleetRepository implements FleetRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async beat(nodeId: string, state: NodeState, now: string): Promise<void> {
    await this.db
      .insertInto('node_heartbeats')
      .values({ node_id: nodeId, state, heartbeat_at: now })
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ state, heartbeat_at: now }))
      .execute();
  }

  async get(nodeId: string): Promise<NodeHeartbeat | undefined> {
    const row = await this.db
      .selectFrom('node_heartbeats')
      .selectAll()
      .where('node_id', '=', nodeId)
      .executeTakeFirst();
    return row
      ? { nodeId: row.node_id, state: row.state as NodeState, heartbeatAt: row.heartbeat_at }
      : undefined;
  }

  async sessionsAwaitingInput(limit: number): Promise<string[]> {
    // One primary-key lookup per idle session (the last event by seq), not a scan of the log.
    const lastType = sql<string>`(select e.type from session_events e where e.session_id = resources.id order by e.seq desc limit 1)`;
    const rows = await this.db
      .selectFrom('resources')
      .select('id')
      .where('kind', '=', 'session')
      .where('status', '=', 'idle')
      .where('archived_at', 'is', null)
      .where(lastType, 'in', INPUT_TYPES)
      .orderBy('updated_at')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }
}
