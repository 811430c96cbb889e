// Storage of the organization: workspaces, API keys and the audit log of admin actions.

export type ApiKeyStatus = 'active' | 'inactive' | 'archived';

export interface ApiKeyRecord {
  id: string;
  name: string;
  hash: string;
  createdAt: string;
  /** null: an organization (admin) key; else the one workspace the key acts in. */
  workspaceId: string | null;
  status: ApiKeyStatus;
  /** The key's last characters, so an operator can tell keys apart; never enough to use. */
  partialKeyHint: string | null;
  /** The key that created this one ('admin' for PADDOCK_ADMIN_KEY), when known. */
  createdBy: string | null;
}

export interface ApiKeyRepository {
  insert(record: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Changes name and status; false when the key no longer exists. */
  update(record: ApiKeyRecord): Promise<boolean>;
  delete(id: string): Promise<boolean>;
}

/** Workspaces (core/workspaces/): few rows, so listing reads them all. */
export interface WorkspaceRecord<TDoc = unknown> {
  id: string;
  name: string;
  createdAt: string;
  archivedAt: string | null;
  doc: TDoc;
}

export interface WorkspaceRepository {
  insert(record: WorkspaceRecord): Promise<void>;
  get<TDoc>(id: string): Promise<WorkspaceRecord<TDoc> | undefined>;
  update(record: WorkspaceRecord): Promise<boolean>;
  list<TDoc>(): Promise<WorkspaceRecord<TDoc>[]>;
}

/** One admin action: who did what to which object, when. Never a secret. */
export interface AuditEntry {
  id: string;
  /** The acting key's id ('admin' for PADDOCK_ADMIN_KEY). */
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  /** The workspace the action happened in, when it has one. */
  workspaceId: string | null;
  occurredAt: string;
  /** Field names and non-secret values that changed. */
  details: Record<string, unknown>;
}

export interface AuditLogRepository {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first; `before` pages on from an entry's (occurredAt, id). */
  list(options: {
    limit: number;
    before?: { occurredAt: string; id: string } | undefined;
    workspaceId?: string | undefined;
  }): Promise<AuditEntry[]>;
}
