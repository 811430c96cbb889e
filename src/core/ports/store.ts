/**
 * Storage interfaces. Core owns them; src/store/ implements them over SQLite
 * and Postgres with one Kysely schema. Resources are kept as JSON documents
 * (the wire object) beside a few indexed columns used for filtering and paging.
 */

import type { DeploymentRunRepository } from './deployment-run-store.js';
import type { FleetRepository, LeaseRepository } from './fleet-store.js';
import type { IdempotencyRepository } from './idempotency-store.js';
import type { MemoryRepository } from './memory-repository.js';
import type { ApiKeyRepository, AuditLogRepository, WorkspaceRepository } from './tenancy-store.js';
import type { WebhookRepository } from './webhook-repository.js';

export type ResourceKind =
  | 'agent'
  | 'environment'
  | 'session'
  | 'thread'
  | 'session_resource'
  | 'vault'
  | 'credential'
  | 'file'
  | 'work'
  /** Self-hosted workers' environment keys (hashed); src/core/work/environment-keys.ts. */
  | 'environment_key'
  /** src/core/memory/: its memories and versions live in their own tables (memory-repository.ts). */
  | 'memory_store'
  /** src/core/dreams/: background jobs that reorganize a memory store. */
  | 'dream'
  /** src/core/skills/: a skill and its immutable versions (parent: the skill); bytes in the FileBlobStore. */
  | 'skill'
  | 'skill_version'
  /** src/core/tunnels/: a tunnel and its CA certificates (parent: the tunnel); the token in `secrets`. */
  | 'tunnel'
  | 'tunnel_certificate'
  /** src/core/user-profiles/. */
  | 'user_profile'
  /** src/core/deployments/: its runs live in their own table (deployment-run-store.ts). */
  | 'deployment'
  /** src/core/workflows/: a session's workflow run (parent: the session); its journal is in the doc. */
  | 'workflow_run';

export interface ResourceRecord<TDoc = unknown> {
  kind: ResourceKind;
  id: string;
  /** Owning resource: the vault of a credential, the session of a thread, … */
  parentId: string | null;
  /** Unique per kind where set (environment names). */
  name: string | null;
  status: string | null;
  /** A referenced id used in filters (a session's agent id). */
  refId: string | null;
  refVersion: number | null;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  doc: TDoc;
  /**
   * The owning workspace. Always set on reads. On insert, a row with a parent takes the parent's
   * workspace, else the caller's scope's (core/workspaces/workspace-scope.ts), else the default.
   */
  workspaceId?: string;
}

export interface TimeRange {
  gt?: string | undefined;
  gte?: string | undefined;
  lt?: string | undefined;
  lte?: string | undefined;
}

/** Opaque to clients; a position in (created_at, id) order. */
export interface Cursor {
  createdAt: string;
  id: string;
  /** Which way the page runs from the cursor. */
  direction: 'next' | 'prev';
}

export interface ResourceListQuery {
  kind: ResourceKind;
  parentId?: string | undefined;
  refId?: string | undefined;
  refVersion?: number | undefined;
  statuses?: readonly string[] | undefined;
  includeArchived?: boolean | undefined;
  createdAt?: TimeRange | undefined;
  ids?: readonly string[] | undefined;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: Cursor | undefined;
}

export interface ResourcePage<TDoc> {
  items: ResourceRecord<TDoc>[];
  /** Present when more items exist beyond the page in its direction. */
  hasMore: boolean;
}

export interface ResourceRepository {
  insert<TDoc>(record: ResourceRecord<TDoc>): Promise<void>;
  get<TDoc>(kind: ResourceKind, id: string): Promise<ResourceRecord<TDoc> | undefined>;
  /**
   * Inside a transaction: reads the record and holds it until commit, so a read-modify-write
   * cannot be overwritten by (or overwrite) a concurrent one. Outside a transaction, a plain get.
   */
  getForUpdate<TDoc>(kind: ResourceKind, id: string): Promise<ResourceRecord<TDoc> | undefined>;
  findByName<TDoc>(kind: ResourceKind, name: string): Promise<ResourceRecord<TDoc> | undefined>;
  /** Replaces the record; returns false when it no longer exists. */
  update<TDoc>(record: ResourceRecord<TDoc>): Promise<boolean>;
  delete(kind: ResourceKind, id: string): Promise<boolean>;
  list<TDoc>(query: ResourceListQuery): Promise<ResourcePage<TDoc>>;
}

export interface AgentVersionRepository {
  insert(agentId: string, version: number, doc: unknown): Promise<void>;
  get<TDoc>(agentId: string, version: number): Promise<TDoc | undefined>;
  list<TDoc>(
    agentId: string,
    options: { limit: number; beforeVersion?: number | undefined },
  ): Promise<TDoc[]>;
}

export interface SecretRepository {
  put(ownerId: string, ciphertext: string): Promise<void>;
  get(ownerId: string): Promise<string | undefined>;
  delete(ownerId: string): Promise<void>;
}

export interface StoredEvent<TDoc = unknown> {
  sessionId: string;
  seq: number;
  id: string;
  type: string;
  threadId: string | null;
  processedAt: string;
  doc: TDoc;
}

export interface NewEvent<TDoc = unknown> {
  id: string;
  type: string;
  threadId: string | null;
  processedAt: string;
  doc: TDoc;
  /** A deterministic key per harness step: appending the same key twice is a no-op. */
  idempotencyKey?: string | undefined;
}

export interface EventListQuery {
  sessionId: string;
  threadId?: string | null | undefined;
  /** With threadId null: also include child-thread events of these types (the session-level view). */
  alsoTypes?: readonly string[] | undefined;
  types?: readonly string[] | undefined;
  processedAt?: TimeRange | undefined;
  afterSeq?: number | undefined;
  beforeSeq?: number | undefined;
  order: 'asc' | 'desc';
  limit: number;
}

export interface EventRepository {
  /**
   * Appends in order, atomically. Events whose idempotency key was already
   * used are skipped and the stored copy is returned in their place.
   */
  append(sessionId: string, events: readonly NewEvent[]): Promise<StoredEvent[]>;
  list(query: EventListQuery): Promise<StoredEvent[]>;
  get(sessionId: string, eventId: string): Promise<StoredEvent | undefined>;
  deleteSession(sessionId: string): Promise<void>;
}

/** An environment build's outcome, keyed by everything the build depends on (environment-builds.ts). */
export interface EnvironmentBuildRecord {
  buildKey: string;
  status: 'pending' | 'building' | 'ready' | 'failed';
  logTail: string;
  updatedAt: string;
}

export interface EnvironmentBuildRepository {
  get(buildKey: string): Promise<EnvironmentBuildRecord | undefined>;
  put(record: EnvironmentBuildRecord): Promise<void>;
}

/** Small facts about the deployment itself (schema version, the secret key's fingerprint). */
export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  /** Stores `value` unless the key exists; returns what is stored either way. */
  setIfAbsent(key: string, value: string): Promise<string>;
}

/**
 * File bytes kept in the database for nodes that share no disk (src/file-blobs/database/),
 * in numbered chunks so neither side ever holds a whole file.
 */
export interface FileChunkRepository {
  insert(fileId: string, index: number, bytes: Buffer): Promise<void>;
  get(fileId: string, index: number): Promise<Buffer | undefined>;
  count(fileId: string): Promise<number>;
  delete(fileId: string): Promise<void>;
}

/**
 * Where each session's newest workspace snapshot is (src/sandbox/snapshots/). Generation 0
 * with no manifest records that a sandbox was started but nothing was snapshotted yet, so a
 * node that finds no files can tell a new session from a lost workspace.
 */
export interface WorkspaceSnapshotHead {
  sessionId: string;
  generation: number;
  manifestId: string | null;
  manifestSha256: string | null;
  createdAt: string;
}

export interface WorkspaceSnapshotRepository {
  head(sessionId: string): Promise<WorkspaceSnapshotHead | undefined>;
  /** Moves the head on from generation `expected` (undefined: none yet); false when another node did first. */
  advance(head: WorkspaceSnapshotHead, expected: number | undefined): Promise<boolean>;
  delete(sessionId: string): Promise<void>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly resources: ResourceRepository;
  readonly agentVersions: AgentVersionRepository;
  readonly secrets: SecretRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly workspaces: WorkspaceRepository;
  readonly auditLog: AuditLogRepository;
  readonly events: EventRepository;
  readonly leases: LeaseRepository;
  readonly fleet: FleetRepository;
  readonly meta: MetaRepository;
  readonly fileChunks: FileChunkRepository;
  readonly workspaceSnapshots: WorkspaceSnapshotRepository;
  /** Idempotency-Key replays (ports/idempotency-store.ts). */
  readonly idempotency: IdempotencyRepository;
  /** Memories and memory versions of memory stores (ports/memory-repository.ts). */
  readonly memories: MemoryRepository;
  /** Environment package builds' status and cached failures (core/environments/environment-builds.ts). */
  readonly environmentBuilds: EnvironmentBuildRepository;
  /** Webhook endpoints, the outbox and deliveries (ports/webhook-repository.ts). */
  readonly webhooks: WebhookRepository;
  /** Deployment runs, one per scheduled tick at most (ports/deployment-run-store.ts). */
  readonly deploymentRuns: DeploymentRunRepository;
  /** Runs fn atomically; the store passed in is bound to the transaction. */
  transaction<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Re-exported by name so existing importers keep one import site for storage types.
export type { FleetRepository, LeaseRepository, NodeHeartbeat, NodeState } from './fleet-store.js';
export { RELEASED_LEASE } from './fleet-store.js';
export type {
  ApiKeyRecord,
  ApiKeyRepository,
  ApiKeyStatus,
  AuditEntry,
  AuditLogRepository,
  WorkspaceRecord,
  WorkspaceRepository,
} from './tenancy-store.js';
