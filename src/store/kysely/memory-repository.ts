import { type Kysely, type Selectable, sql } from 'kysely';
import type { MemoryActor, MemoryVersionOperation } from '../../core/memory/memory.js';
import type {
  MemoryRepository,
  MemoryRow,
  MemoryVersionQuery,
  MemoryVersionRow,
} from '../../core/ports/memory-repository.js';
import type { Database } from './schema.js';

type MemoryTableRow = Selectable<Database['memories']>;
type VersionTableRow = Selectable<Database['memory_versions']>;

const fromMemoryRow = (row: MemoryTableRow): MemoryRow => ({
  id: row.id,
  storeId: row.store_id,
  workspaceId: row.workspace_id,
  path: row.path,
  content: row.content,
  contentSha256: row.content_sha256,
  contentSizeBytes: Number(row.content_size_bytes),
  versionId: row.version_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toMemoryRow = (row: MemoryRow): MemoryTableRow => ({
  id: row.id,
  store_id: row.storeId,
  workspace_id: row.workspaceId,
  path: row.path,
  content: row.content,
  content_sha256: row.contentSha256,
  content_size_bytes: row.contentSizeBytes,
  version_id: row.versionId,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

const parseActor = (text: string | null): MemoryActor | null =>
  text === null ? null : (JSON.parse(text) as MemoryActor);

const fromVersionRow = (row: VersionTableRow): MemoryVersionRow => ({
  id: row.id,
  storeId: row.store_id,
  workspaceId: row.workspace_id,
  memoryId: row.memory_id,
  operation: row.operation as MemoryVersionOperation,
  path: row.path,
  content: row.content,
  contentSha256: row.content_sha256,
  contentSizeBytes: row.content_size_bytes === null ? null : Number(row.content_size_bytes),
  createdAt: row.created_at,
  createdBy: parseActor(row.created_by),
  redactedAt: row.redacted_at,
  redactedBy: parseActor(row.redacted_by),
});

/** `substr` rather than LIKE or a range: no wildcards to escape and no collation to trust. */
const startsWith = (prefix: string) => sql<boolean>`substr(path, 1, ${prefix.length}) = ${prefix}`;

export class KyselyMemoryRepository implements MemoryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(storeId: string, id: string): Promise<MemoryRow | undefined> {
    const row = await this.db
      .selectFrom('memories')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromMemoryRow(row);
  }

  async findOverlapping(storeId: string, path: string, exceptId?: string): Promise<MemoryRow | undefined> {
    const segments = path.split('/').slice(1);
    const ancestors = segments.slice(0, -1).map((_, i) => `/${segments.slice(0, i + 1).join('/')}`);
    let query = this.db
      .selectFrom('memories')
      .selectAll()
      .where('store_id', '=', storeId)
      .where((eb) => eb.or([eb('path', 'in', [path, ...ancestors]), startsWith(`${path}/`)]));
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    const row = await query.orderBy('path').executeTakeFirst();
    return row && fromMemoryRow(row);
  }

  async listUnder(storeId: string, prefix: string): Promise<MemoryRow[]> {
    let query = this.db.selectFrom('memories').selectAll().where('store_id', '=', storeId);
    if (prefix !== '/') query = query.where(startsWith(prefix));
    const rows = await query.execute();
    return rows.map(fromMemoryRow);
  }

  async insert(row: MemoryRow): Promise<boolean> {
    const result = await this.db
      .insertInto('memories')
      .values(toMemoryRow(row))
      .onConflict((oc) => oc.columns(['store_id', 'path']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async update(row: MemoryRow, expectedVersionId: string): Promise<boolean> {
    const { id, store_id, created_at, ...changes } = toMemoryRow(row);
    const result = await this.db
      .updateTable('memories')
      .set(changes)
      .where('store_id', '=', store_id)
      .where('id', '=', id)
      .where('version_id', '=', expectedVersionId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(storeId: string, id: string, expectedVersionId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('memories')
      .where('store_id', '=', storeId)
      .where('id', '=', id)
      .where('version_id', '=', expectedVersionId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async insertVersion(row: MemoryVersionRow): Promise<void> {
    const actor = row.createdBy;
    await this.db
      .insertInto('memory_versions')
      .values({
        id: row.id,
        store_id: row.storeId,
        workspace_id: row.workspaceId,
        memory_id: row.memoryId,
        operation: row.operation,
        path: row.path,
        content: row.content,
        content_sha256: row.contentSha256,
        content_size_bytes: row.contentSizeBytes,
        created_at: row.createdAt,
        created_by: actor === null ? null : JSON.stringify(actor),
        session_id: actor?.type === 'session_actor' ? actor.session_id : null,
        api_key_id: actor?.type === 'api_actor' ? actor.api_key_id : null,
        redacted_at: row.redactedAt,
        redacted_by: row.redactedBy === null ? null : JSON.stringify(row.redactedBy),
      })
      .execute();
  }

  async getVersion(storeId: string, id: string): Promise<MemoryVersionRow | undefined> {
    const row = await this.db
      .selectFrom('memory_versions')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromVersionRow(row);
  }

  async listVersions(query: MemoryVersionQuery): Promise<MemoryVersionRow[]> {
    let q = this.db.selectFrom('memory_versions').selectAll().where('store_id', '=', query.storeId);
    if (query.memoryId !== undefined) q = q.where('memory_id', '=', query.memoryId);
    if (query.operation !== undefined) q = q.where('operation', '=', query.operation);
    if (query.sessionId !== undefined) q = q.where('session_id', '=', query.sessionId);
    if (query.apiKeyId !== undefined) q = q.where('api_key_id', '=', query.apiKeyId);
    if (query.createdAtGte !== undefined) q = q.where('created_at', '>=', query.createdAtGte);
    if (query.createdAtLte !== undefined) q = q.where('created_at', '<=', query.createdAtLte);
    const before = query.before;
    if (before)
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '<', before.createdAt),
          eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
        ]),
      );
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(fromVersionRow);
  }

  async redactVersion(
    storeId: string,
    id: string,
    redactedAt: string,
    redactedBy: MemoryActor | null,
  ): Promise<void> {
    await this.db
      .updateTable('memory_versions')
      .set({
        path: null,
        content: null,
        content_sha256: null,
        content_size_bytes: null,
        redacted_at: redactedAt,
        redacted_by: redactedBy === null ? null : JSON.stringify(redactedBy),
      })
      .where('store_id', '=', storeId)
      .where('id', '=', id)
      .execute();
  }

  async deleteStore(storeId: string): Promise<void> {
    await this.db.deleteFrom('memories').where('store_id', '=', storeId).execute();
    await this.db.deleteFrom('memory_versions').where('store_id', '=', storeId).execute();
  }
}
