import type { Kysely, SelectQueryBuilder } from 'kysely';
import type {
  ResourceKind,
  ResourceListQuery,
  ResourcePage,
  ResourceRecord,
  ResourceRepository,
} from '../../core/ports/store.js';
import {
  confinedWorkspace,
  currentWorkspaceScope,
  DEFAULT_WORKSPACE_ID,
} from '../../core/workspaces/workspace-scope.js';
import { runCompiled } from './compiled-statements.js';
import type { Database } from './schema.js';
import { translatingUniqueViolation } from './unique-violation.js';

type ResourceRow = Database['resources'];

const toRow = (record: ResourceRecord): Omit<ResourceRow, 'workspace_id'> => ({
  kind: record.kind,
  id: record.id,
  parent_id: record.parentId,
  name: record.name,
  status: record.status,
  ref_id: record.refId,
  ref_version: record.refVersion,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
  archived_at: record.archivedAt,
  doc: JSON.stringify(record.doc),
});

const fromRow = <TDoc>(row: ResourceRow): ResourceRecord<TDoc> => ({
  kind: row.kind as ResourceKind,
  id: row.id,
  parentId: row.parent_id,
  name: row.name,
  status: row.status,
  refId: row.ref_id,
  refVersion: row.ref_version === null ? null : Number(row.ref_version),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  archivedAt: row.archived_at,
  doc: JSON.parse(row.doc) as TDoc,
  workspaceId: row.workspace_id,
});

/** Which unique index a write can break: (kind, name) when named, else (kind, id). */
const described = (record: ResourceRecord<unknown>) =>
  record.name === null
    ? `${record.kind} ${record.id}`
    : `a ${record.kind} named ${JSON.stringify(record.name)}`;

/**
 * Every query below passes through here: a caller confined to a workspace (a workspace key, or an
 * admin naming one) sees its rows only, so a foreign id reads exactly like a missing one.
 */
function scoped<QB extends { where: (...args: never[]) => unknown }>(q: QB): QB {
  const workspaceId = confinedWorkspace();
  if (workspaceId === undefined) return q;
  return (q as unknown as { where(c: string, o: string, v: string): QB }).where(
    'workspace_id',
    '=',
    workspaceId,
  );
}

export class KyselyResourceRepository implements ResourceRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres' = 'sqlite',
  ) {}

  async insert<TDoc>(record: ResourceRecord<TDoc>): Promise<void> {
    const workspaceId = await this.workspaceFor(record);
    await translatingUniqueViolation(described(record), () =>
      this.db
        .insertInto('resources')
        .values({ ...toRow(record), workspace_id: workspaceId })
        .execute(),
    );
  }

  /** A child row lives with its parent (a session's threads and output files, a vault's credentials). */
  private async workspaceFor(record: ResourceRecord<unknown>): Promise<string> {
    if (record.workspaceId !== undefined) return record.workspaceId;
    if (record.parentId !== null) {
      const parent = await this.db
        .selectFrom('resources')
        .select('workspace_id')
        .where('id', '=', record.parentId)
        .executeTakeFirst();
      if (parent) return parent.workspace_id;
    }
    return currentWorkspaceScope()?.workspaceId ?? DEFAULT_WORKSPACE_ID;
  }

  async get<TDoc>(kind: ResourceKind, id: string): Promise<ResourceRecord<TDoc> | undefined> {
    // The most frequent read of all: compiled once per scope (compiled-statements.ts).
    const workspaceId = confinedWorkspace();
    const [row] = await runCompiled<Database['resources']>(
      this.db,
      `resources.get:${workspaceId === undefined ? 'all' : 'scoped'}`,
      workspaceId === undefined ? [kind, id] : [kind, id, workspaceId],
      () => scoped(this.db.selectFrom('resources').selectAll().where('kind', '=', kind).where('id', '=', id)),
    );
    return row ? fromRow<TDoc>(row) : undefined;
  }

  async getForUpdate<TDoc>(kind: ResourceKind, id: string): Promise<ResourceRecord<TDoc> | undefined> {
    // SQLite runs one transaction at a time, so only Postgres needs the row lock.
    if (this.dialect === 'sqlite' || !this.db.isTransaction) return this.get(kind, id);
    const row = await scoped(
      this.db.selectFrom('resources').selectAll().where('kind', '=', kind).where('id', '=', id),
    )
      .forUpdate()
      .executeTakeFirst();
    return row ? fromRow<TDoc>(row) : undefined;
  }

  async findByName<TDoc>(kind: ResourceKind, name: string): Promise<ResourceRecord<TDoc> | undefined> {
    const row = await scoped(
      this.db.selectFrom('resources').selectAll().where('kind', '=', kind).where('name', '=', name),
    ).executeTakeFirst();
    return row ? fromRow<TDoc>(row) : undefined;
  }

  async update<TDoc>(record: ResourceRecord<TDoc>): Promise<boolean> {
    const { kind, id, ...rest } = toRow(record);
    const result = await translatingUniqueViolation(described(record), () =>
      scoped(
        this.db.updateTable('resources').set(rest).where('kind', '=', kind).where('id', '=', id),
      ).executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(kind: ResourceKind, id: string): Promise<boolean> {
    const result = await scoped(
      this.db.deleteFrom('resources').where('kind', '=', kind).where('id', '=', id),
    ).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async list<TDoc>(query: ResourceListQuery): Promise<ResourcePage<TDoc>> {
    let q = scoped(this.db.selectFrom('resources').selectAll().where('kind', '=', query.kind));
    q = applyFilters(q, query);
    // A "prev" page walks against the list order, then is flipped back.
    const walkDescending = (query.order === 'desc') !== (query.cursor?.direction === 'prev');
    const cursor = query.cursor;
    if (cursor) {
      const op = walkDescending ? '<' : '>';
      q = q.where((eb) =>
        eb.or([
          eb('created_at', op, cursor.createdAt),
          eb.and([eb('created_at', '=', cursor.createdAt), eb('id', op, cursor.id)]),
        ]),
      );
    }
    const direction = walkDescending ? 'desc' : 'asc';
    const rows = await q
      .orderBy('created_at', direction)
      .orderBy('id', direction)
      .limit(query.limit + 1)
      .execute();
    const hasMore = rows.length > query.limit;
    const page = rows.slice(0, query.limit).map((row) => fromRow<TDoc>(row));
    if (cursor?.direction === 'prev') page.reverse();
    return { items: page, hasMore };
  }
}

function applyFilters(
  q: SelectQueryBuilder<Database, 'resources', ResourceRow>,
  query: ResourceListQuery,
): SelectQueryBuilder<Database, 'resources', ResourceRow> {
  let out = q;
  if (query.parentId !== undefined) out = out.where('parent_id', '=', query.parentId);
  if (query.refId !== undefined) out = out.where('ref_id', '=', query.refId);
  if (query.refVersion !== undefined) out = out.where('ref_version', '=', query.refVersion);
  if (query.statuses && query.statuses.length > 0) out = out.where('status', 'in', [...query.statuses]);
  if (query.ids)
    out = query.ids.length > 0 ? out.where('id', 'in', [...query.ids]) : out.where('id', '=', '');
  if (!query.includeArchived) out = out.where('archived_at', 'is', null);
  const range = query.createdAt;
  if (range?.gt !== undefined) out = out.where('created_at', '>', range.gt);
  if (range?.gte !== undefined) out = out.where('created_at', '>=', range.gte);
  if (range?.lt !== undefined) out = out.where('created_at', '<', range.lt);
  if (range?.lte !== undefined) out = out.where('created_at', '<=', range.lte);
  return out;
}
