import type { Kysely } from 'kysely';
import type { WebhookEndpointRow } from '../../core/ports/webhook-repository.js';
import type { Database } from './schema.js';
import { endpointRow } from './webhook-rows.js';

/** The endpoint row, locked until the transaction `db` belongs to ends (Postgres: FOR UPDATE). */
export async function lockEndpoint(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<WebhookEndpointRow | undefined> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .forUpdate()
    .executeTakeFirst();
  return row && endpointRow(row);
}

/**
 * The outbox's retention sweep (WebhookRepository.purgeFinished): finished deliveries older
 * than `before` go with their attempts, then the old events nothing delivers any more.
 */
export async function purgeFinishedDeliveries(
  db: Kysely<Database>,
  before: string,
  limit: number,
): Promise<{ deliveries: number; events: number }> {
  const expired = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', 'in', ['succeeded', 'failed'])
    .where('updated_at', '<', before)
    .orderBy('updated_at', 'asc')
    .limit(limit)
    .execute();
  const ids = expired.map((row) => row.id);
  let deliveries = 0;
  if (ids.length > 0) {
    await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
    const deleted = await db
      .deleteFrom('webhook_deliveries')
      .where('id', 'in', ids)
      // A redelivery may have been made pending again since the select: it stays.
      .where('status', 'in', ['succeeded', 'failed'])
      .executeTakeFirst();
    deliveries = Number(deleted.numDeletedRows);
  }
  const events = await db
    .deleteFrom('webhook_events')
    .where('created_at', '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('webhook_deliveries')
            .select('webhook_deliveries.id')
            .whereRef('webhook_deliveries.event_id', '=', 'webhook_events.id'),
        ),
      ),
    )
    .executeTakeFirst();
  return { deliveries, events: Number(events.numDeletedRows) };
}
