import { type Kysely, sql, type Transaction } from 'kysely';
import type { EventListQuery, EventRepository, NewEvent, StoredEvent } from '../../core/ports/store.js';
import { runCompiled } from './compiled-statements.js';
import type { Database } from './schema.js';

type EventRow = Database['session_events'];

const fromRowMeta = (row: EventRow): Omit<StoredEvent, 'doc'> => ({
  sessionId: row.session_id,
  seq: Number(row.seq),
  id: row.id,
  type: row.type,
  threadId: row.thread_id,
  processedAt: row.processed_at,
});

const fromRow = (row: EventRow): StoredEvent => ({ ...fromRowMeta(row), doc: JSON.parse(row.doc) });

export class KyselyEventRepository implements EventRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async append(sessionId: string, events: readonly NewEvent[]): Promise<StoredEvent[]> {
    // An empty append inside a transaction still takes the per-session lock (record-only changes).
    if (events.length === 0 && !this.db.isTransaction) return [];
    const run = (trx: Kysely<Database>) => this.appendInTransaction(trx, sessionId, events);
    if (this.db.isTransaction) return run(this.db);
    return this.db.transaction().execute(run);
  }

  private async appendInTransaction(
    trx: Kysely<Database> | Transaction<Database>,
    sessionId: string,
    events: readonly NewEvent[],
  ): Promise<StoredEvent[]> {
    if (this.dialect === 'postgres') {
      // Serialises appends per session across nodes; released at commit.
      await sql`select pg_advisory_xact_lock(hashtext(${sessionId}))`.execute(trx);
    }
    // The harness appends at every step: its statements are compiled once (compiled-statements.ts).
    const [last] = await runCompiled<{ seq: number | string | null }>(
      trx,
      'events.lastSeq',
      [sessionId],
      () =>
        trx
          .selectFrom('session_events')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('session_id', '=', sessionId),
    );
    let seq = Number(last?.seq ?? 0);
    // Every key of the batch looked up in one statement.
    const keys = events.flatMap((event) =>
      event.idempotencyKey === undefined ? [] : [event.idempotencyKey],
    );
    const existingByKey = new Map<string, EventRow>();
    if (keys.length > 0) {
      const found = await runCompiled<EventRow>(
        trx,
        `events.byKeys:${keys.length}`,
        [sessionId, ...keys],
        () =>
          trx
            .selectFrom('session_events')
            .selectAll()
            .where('session_id', '=', sessionId)
            .where('idempotency_key', 'in', keys),
      );
      for (const row of found) if (row.idempotency_key !== null) existingByKey.set(row.idempotency_key, row);
    }
    const stored: StoredEvent[] = [];
    const rows: EventRow[] = [];
    for (const event of events) {
      const existing =
        event.idempotencyKey === undefined ? undefined : existingByKey.get(event.idempotencyKey);
      if (existing) {
        stored.push(fromRow(existing));
        continue;
      }
      seq += 1;
      const row: EventRow = {
        session_id: sessionId,
        seq,
        id: event.id,
        type: event.type,
        thread_id: event.threadId,
        processed_at: event.processedAt,
        idempotency_key: event.idempotencyKey ?? null,
        doc: JSON.stringify(event.doc),
      };
      rows.push(row);
      stored.push({ ...fromRowMeta(row), doc: event.doc });
    }
    // One statement for the whole batch.
    if (rows.length > 0)
      await runCompiled(trx, `events.insert:${rows.length}`, rows.flatMap(rowValues), () =>
        trx.insertInto('session_events').values(rows),
      );
    return stored;
  }

  async list(query: EventListQuery): Promise<StoredEvent[]> {
    // The harness's log read (a session's entries after a seq) is compiled once.
    if (isPlainRead(query)) {
      const after = query.afterSeq !== undefined;
      const parameters = after
        ? [query.sessionId, query.afterSeq, query.limit]
        : [query.sessionId, query.limit];
      const rows = await runCompiled<EventRow>(
        this.db,
        `events.list:${query.order}:${after}`,
        parameters,
        () => {
          let q = this.db.selectFrom('session_events').selectAll().where('session_id', '=', query.sessionId);
          if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
          return q.orderBy('seq', query.order).limit(query.limit);
        },
      );
      return rows.map(fromRow);
    }
    let q = this.db.selectFrom('session_events').selectAll().where('session_id', '=', query.sessionId);
    const alsoTypes = query.alsoTypes ?? [];
    if (query.threadId === null && alsoTypes.length > 0) {
      q = q.where((eb) => eb.or([eb('thread_id', 'is', null), eb('type', 'in', [...alsoTypes])]));
    } else if (query.threadId !== undefined) {
      q =
        query.threadId === null
          ? q.where('thread_id', 'is', null)
          : q.where('thread_id', '=', query.threadId);
    }
    if (query.types && query.types.length > 0) q = q.where('type', 'in', [...query.types]);
    if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
    if (query.beforeSeq !== undefined) q = q.where('seq', '<', query.beforeSeq);
    const range = query.processedAt;
    if (range?.gt !== undefined) q = q.where('processed_at', '>', range.gt);
    if (range?.gte !== undefined) q = q.where('processed_at', '>=', range.gte);
    if (range?.lt !== undefined) q = q.where('processed_at', '<', range.lt);
    if (range?.lte !== undefined) q = q.where('processed_at', '<=', range.lte);
    const rows = await q.orderBy('seq', query.order).limit(query.limit).execute();
    return rows.map(fromRow);
  }

  async get(sessionId: string, eventId: string): Promise<StoredEvent | undefined> {
    const row = await this.db
      .selectFrom('session_events')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', eventId)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('session_events').where('session_id', '=', sessionId).execute();
  }
}

/** The row's values in the order its insert binds them (the keys of EventRow as built above). */
function rowValues(row: EventRow): unknown[] {
  return [
    row.session_id,
    row.seq,
    row.id,
    row.type,
    row.thread_id,
    row.processed_at,
    row.idempotency_key,
    row.doc,
  ];
}

/** A read of one session's entries by seq alone: no thread, type or time filter. */
function isPlainRead(query: EventListQuery): boolean {
  return (
    query.threadId === undefined &&
    (query.types === undefined || query.types.length === 0) &&
    query.beforeSeq === undefined &&
    query.processedAt === undefined
  );
}
