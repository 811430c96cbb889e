import type { Kysely } from 'kysely';
import type {
  ApiKeyRecord,
  ApiKeyRepository,
  ApiKeyStatus,
  AuditEntry,
  AuditLogRepository,
  WorkspaceRecord,
  WorkspaceRepository,
} from '../../core/ports/store.js';
import { runCompiled } from './compiled-statements.js';
import type { Database } from './schema.js';

type ApiKeyRow = Database['api_keys'];

const keyFromRow = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  hash: row.hash,
  createdAt: row.created_at,
  workspaceId: row.workspace_id,
  status: row.status as ApiKeyStatus,
  partialKeyHint: row.partial_key_hint,
  createdBy: row.created_by,
});

export class KyselyApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(record: ApiKeyRecord): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({
        id: record.id,
        name: record.name,
        hash: record.hash,
        created_at: record.createdAt,
        workspace_id: record.workspaceId,
        status: record.status,
        partial_key_hint: record.partialKeyHint,
        created_by: record.createdBy,
      })
      .execute();
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row ? keyFromRow(row) : undefined;
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? keyFromRow(row) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(keyFromRow);
  }

  async update(record: ApiKeyRecord): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ name: record.name, status: record.status })
      .where('id', '=', record.id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

type WorkspaceRow = Database['workspaces'];

const workspaceFromRow = <TDoc>(row: WorkspaceRow): WorkspaceRecord<TDoc> => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  archivedAt: row.archived_at,
  doc: JSON.parse(row.doc) as TDoc,
});

export class KyselyWorkspaceRepository implements WorkspaceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(record: WorkspaceRecord): Promise<void> {
    await this.db
      .insertInto('workspaces')
      .values({
        id: record.id,
        name: record.name,
        created_at: record.createdAt,
        archived_at: record.archivedAt,
        doc: JSON.stringify(record.doc),
      })
      .execute();
  }

  async get<TDoc>(id: string): Promise<WorkspaceRecord<TDoc> | undefined> {
    // Read before every model call (the workspace's spend limit): compiled once.
    const [row] = await runCompiled<Database['workspaces']>(this.db, 'workspaces.get', [id], () =>
      this.db.selectFrom('workspaces').selectAll().where('id', '=', id),
    );
    return row ? workspaceFromRow<TDoc>(row) : undefined;
  }

  async update(record: WorkspaceRecord): Promise<boolean> {
    const result = await this.db
      .updateTable('workspaces')
      .set({ name: record.name, archived_at: record.archivedAt, doc: JSON.stringify(record.doc) })
      .where('id', '=', record.id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async list<TDoc>(): Promise<WorkspaceRecord<TDoc>[]> {
    const rows = await this.db
      .selectFrom('workspaces')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => workspaceFromRow<TDoc>(row));
  }
}

export class KyselyAuditLogRepository implements AuditLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        id: entry.id,
        actor: entry.actor,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        workspace_id: entry.workspaceId,
        occurred_at: entry.occurredAt,
        details: JSON.stringify(entry.details),
      })
      .execute();
  }

  async list(options: {
    limit: number;
    before?: { occurredAt: string; id: string } | undefined;
    workspaceId?: string | undefined;
  }): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll();
    const before = options.before;
    if (before) {
      q = q.where((eb) =>
        eb.or([
          eb('occurred_at', '<', before.occurredAt),
          eb.and([eb('occurred_at', '=', before.occurredAt), eb('id', '<', before.id)]),
        ]),
      );
    }
    if (options.workspaceId !== undefined) q = q.where('workspace_id', '=', options.workspaceId);
    const rows = await q.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
    return rows.map((row) => ({
      id: row.id,
      actor: row.actor,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      workspaceId: row.workspace_id,
      occurredAt: row.occurred_at,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}
