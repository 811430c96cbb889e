import { type Kysely, sql } from 'kysely';
import type {
  ClaimedDelivery,
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookDeliveryStatus,
  WebhookEndpointRow,
  WebhookEndpointStats,
  WebhookEventRow,
  WebhookRepository,
} from '../../core/ports/webhook-repository.js';
import type { Database } from './schema.js';
import { lockEndpoint, purgeFinishedDeliveries } from './webhook-retention.js';
import { deliveryRow, endpointRow, endpointTable } from './webhook-rows.js';

export class KyselyWebhookRepository implements WebhookRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async insertEndpoint(row: WebhookEndpointRow): Promise<void> {
    await this.db.insertInto('webhook_endpoints').values(endpointTable(row)).execute();
  }

  async getEndpoint(workspaceId: string, id: string): Promise<WebhookEndpointRow | undefined> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return row && endpointRow(row);
  }

  async getEndpointForUpdate(workspaceId: string, id: string): Promise<WebhookEndpointRow | undefined> {
    // SQLite runs one transaction at a time, so only Postgres needs the row lock.
    if (this.dialect === 'sqlite' || !this.db.isTransaction) return this.getEndpoint(workspaceId, id);
    return lockEndpoint(this.db, workspaceId, id);
  }

  purgeFinished(before: string, limit: number): Promise<{ deliveries: number; events: number }> {
    return purgeFinishedDeliveries(this.db, before, limit);
  }

  async updateEndpoint(row: WebhookEndpointRow): Promise<boolean> {
    const { id, workspace_id, created_at, ...changes } = endpointTable(row);
    const result = await this.db
      .updateTable('webhook_endpoints')
      .set(changes)
      .where('id', '=', id)
      .where('workspace_id', '=', workspace_id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteEndpoint(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('webhook_endpoints')
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    await this.db.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
    await this.db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
    return true;
  }

  async listEndpoints(workspaceId: string): Promise<WebhookEndpointRow[]> {
    const rows = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(endpointRow);
  }

  async countEndpoints(workspaceId: string): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  async subscribers(workspaceId: string, type: string): Promise<WebhookEndpointRow[]> {
    // A workspace has at most 32 endpoints: filter the event list here rather than in SQL JSON.
    const rows = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('state', '=', 'enabled')
      .execute();
    return rows.map(endpointRow).filter((row) => row.enabledEvents.includes(type));
  }

  async insertEvent(row: WebhookEventRow): Promise<void> {
    await this.db
      .insertInto('webhook_events')
      .values({
        id: row.id,
        workspace_id: row.workspaceId,
        type: row.type,
        created_at: row.createdAt,
        payload: row.payload,
      })
      .execute();
  }

  async insertDelivery(row: WebhookDeliveryRow): Promise<void> {
    await this.db
      .insertInto('webhook_deliveries')
      .values({
        id: row.id,
        event_id: row.eventId,
        endpoint_id: row.endpointId,
        workspace_id: row.workspaceId,
        event_type: row.eventType,
        status: row.status,
        attempts: row.attempts,
        next_attempt_at: row.nextAttemptAt,
        lease_owner: row.leaseOwner,
        lease_expires_at: row.leaseExpiresAt,
        last_status_code: row.lastStatusCode,
        last_error: row.lastError,
        manual: row.manual ? 1 : 0,
        created_at: row.createdAt,
        updated_at: row.updatedAt,
      })
      .execute();
  }

  async getDelivery(endpointId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst();
    return row && deliveryRow(row);
  }

  async listDeliveries(endpointId: string, limit: number, before?: string): Promise<WebhookDeliveryRow[]> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
    // Ids are time-ordered: newest first is descending id.
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(deliveryRow);
  }

  async stats(): Promise<WebhookEndpointStats[]> {
    const [deliveries, attempts] = await Promise.all([
      this.db
        .selectFrom('webhook_deliveries')
        .select(['endpoint_id', 'status', sql<string | number>`count(*)`.as('count')])
        .groupBy(['endpoint_id', 'status'])
        .execute(),
      this.db
        .selectFrom('webhook_attempts')
        .select([
          'endpoint_id',
          sql<string | number>`count(*)`.as('count'),
          sql<string | number>`sum(case when status_code between 200 and 299 then 0 else 1 end)`.as('failed'),
        ])
        .groupBy('endpoint_id')
        .execute(),
    ]);
    const byEndpoint = new Map<string, WebhookEndpointStats>();
    const entry = (endpointId: string) => {
      let stats = byEndpoint.get(endpointId);
      if (!stats) {
        stats = {
          endpointId,
          deliveries: { pending: 0, succeeded: 0, failed: 0 },
          attempts: 0,
          failedAttempts: 0,
        };
        byEndpoint.set(endpointId, stats);
      }
      return stats;
    };
    for (const row of deliveries)
      entry(row.endpoint_id).deliveries[row.status as WebhookDeliveryStatus] = Number(row.count);
    for (const row of attempts) {
      const stats = entry(row.endpoint_id);
      stats.attempts = Number(row.count);
      stats.failedAttempts = Number(row.failed ?? 0);
    }
    return [...byEndpoint.values()];
  }

  async listAttempts(deliveryIds: readonly string[]): Promise<WebhookAttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', 'in', deliveryIds)
      .orderBy('delivery_id')
      .orderBy('attempt', 'asc')
      .execute();
    return rows.map((row) => ({
      deliveryId: row.delivery_id,
      attempt: Number(row.attempt),
      endpointId: row.endpoint_id,
      startedAt: row.started_at,
      durationMs: Number(row.duration_ms),
      statusCode: row.status_code === null ? null : Number(row.status_code),
      error: row.error,
      responseExcerpt: row.response_excerpt,
    }));
  }

  async due(now: string, limit: number): Promise<WebhookDeliveryRow[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
      .selectAll('webhook_deliveries')
      .where('webhook_deliveries.status', '=', 'pending')
      .where('webhook_deliveries.next_attempt_at', '<=', now)
      .where('webhook_endpoints.state', '=', 'enabled')
      .where((eb) =>
        eb.or([
          eb('webhook_deliveries.lease_expires_at', 'is', null),
          eb('webhook_deliveries.lease_expires_at', '<=', now),
        ]),
      )
      .orderBy('webhook_deliveries.next_attempt_at', 'asc')
      .limit(limit)
      .execute();
    return rows.map(deliveryRow);
  }

  async claim(
    id: string,
    attempts: number,
    owner: string,
    leaseExpiresAt: string,
    now: string,
  ): Promise<ClaimedDelivery | undefined> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ lease_owner: owner, lease_expires_at: leaseExpiresAt })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempts)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    const delivery = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!delivery) return undefined;
    const endpoint = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', delivery.endpoint_id)
      .executeTakeFirst();
    const event = await this.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('id', '=', delivery.event_id)
      .executeTakeFirst();
    if (!endpoint || !event) return undefined;
    return {
      delivery: deliveryRow(delivery),
      endpoint: endpointRow(endpoint),
      event: {
        id: event.id,
        workspaceId: event.workspace_id,
        type: event.type,
        createdAt: event.created_at,
        payload: event.payload,
      },
    };
  }

  async finishAttempt(
    attempt: WebhookAttemptRow,
    owner: string,
    next: Pick<WebhookDeliveryRow, 'status' | 'attempts' | 'nextAttemptAt' | 'lastStatusCode' | 'lastError'>,
  ): Promise<boolean> {
    const run = <T>(fn: (tx: Kysely<Database>) => Promise<T>) =>
      this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
    return run(async (tx) => {
      const result = await tx
        .updateTable('webhook_deliveries')
        .set({
          status: next.status,
          attempts: next.attempts,
          next_attempt_at: next.nextAttemptAt,
          last_status_code: next.lastStatusCode,
          last_error: next.lastError,
          lease_owner: null,
          lease_expires_at: null,
          updated_at: attempt.startedAt,
        })
        .where('id', '=', attempt.deliveryId)
        .where('lease_owner', '=', owner)
        .where('attempts', '=', next.attempts - 1)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await tx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: attempt.deliveryId,
          attempt: attempt.attempt,
          endpoint_id: attempt.endpointId,
          started_at: attempt.startedAt,
          duration_ms: attempt.durationMs,
          status_code: attempt.statusCode,
          error: attempt.error,
          response_excerpt: attempt.responseExcerpt,
        })
        .execute();
      return true;
    });
  }
}
