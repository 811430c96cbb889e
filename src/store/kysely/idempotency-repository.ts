import type { Kysely } from 'kysely';
import type { IdempotencyRecord, IdempotencyRepository } from '../../core/ports/idempotency-store.js';
import type { Database } from './schema.js';

export class KyselyIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(record: IdempotencyRecord, staleBefore: string): Promise<IdempotencyRecord | undefined> {
    const row = {
      scope: record.scope,
      key: record.key,
      request_hash: record.requestHash,
      status: record.status,
      body: record.body,
      created_at: record.createdAt,
    };
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values(row)
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return undefined;
    // An expired key is taken over by whoever gets there first (the conditional update decides).
    const takenOver = await this.db
      .updateTable('idempotency_keys')
      .set(row)
      .where('scope', '=', record.scope)
      .where('key', '=', record.key)
      .where('created_at', '<', staleBefore)
      .executeTakeFirst();
    if (Number(takenOver.numUpdatedRows) > 0) return undefined;
    const held = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('scope', '=', record.scope)
      .where('key', '=', record.key)
      .executeTakeFirst();
    // Released between our insert and this read: a retry by the client will claim it.
    if (!held) return { ...record, status: null };
    return {
      scope: held.scope,
      key: held.key,
      requestHash: held.request_hash,
      status: held.status,
      body: held.body,
      createdAt: held.created_at,
    };
  }

  async complete(scope: string, key: string, status: number, body: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ status, body })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  }

  async release(scope: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('status', 'is', null)
      .execute();
  }
}
