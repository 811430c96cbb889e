import type { Generated } from 'kysely';

/** The one Kysely schema both dialects share. Timestamps are RFC 3339 text; documents are JSON text. */
export interface Database {
  resources: {
    kind: string;
    id: string;
    parent_id: string | null;
    name: string | null;
    status: string | null;
    ref_id: string | null;
    ref_version: number | null;
    created_at: string;
    updated_at: string;
    archived_at: string | null;
    doc: string;
    /** The owning workspace (migration 0005); every query of a scoped caller filters on it. */
    workspace_id: string;
  };
  agent_versions: {
    agent_id: string;
    version: number;
    doc: string;
  };
  secrets: {
    owner_id: string;
    ciphertext: string;
  };
  api_keys: {
    id: string;
    name: string;
    hash: string;
    created_at: string;
    /** null: an organization (admin) key. */
    workspace_id: string | null;
    status: string;
    partial_key_hint: string | null;
    created_by: string | null;
  };
  workspaces: {
    id: string;
    name: string;
    created_at: string;
    archived_at: string | null;
    doc: string;
  };
  /** Admin actions (workspace, key, vault and credential changes); never secrets. */
  audit_log: {
    id: string;
    actor: string;
    action: string;
    target_type: string;
    target_id: string;
    workspace_id: string | null;
    occurred_at: string;
    details: string;
  };
  session_events: {
    session_id: string;
    seq: number;
    id: string;
    type: string;
    thread_id: string | null;
    processed_at: string;
    idempotency_key: string | null;
    doc: string;
  };
  leases: {
    session_id: string;
    owner: string;
    expires_at: string;
  };
  /** One row per node that drives sessions: its heartbeat and whether it is live, draining or gone. */
  node_heartbeats: {
    node_id: string;
    state: string;
    heartbeat_at: string;
  };
  /** Files API bytes when PADDOCK_FILE_STORAGE=database: bytea on Postgres, blob on SQLite. */
  file_chunks: {
    file_id: string;
    idx: number;
    bytes: Buffer;
  };
  /** The newest workspace snapshot of each session (src/sandbox/snapshots/). */
  workspace_snapshots: {
    session_id: string;
    generation: number;
    manifest_id: string | null;
    manifest_sha256: string | null;
    created_at: string;
  };
  paddock_meta: {
    key: string;
    value: string;
  };
  /** Idempotency-Key replays (src/api/idempotency.ts), per caller and key. */
  idempotency_keys: {
    scope: string;
    key: string;
    request_hash: string;
    status: number | null;
    body: string | null;
    created_at: string;
  };
  /** Environment package builds by build key (migration 0008): status, log tail, cached failures. */
  environment_builds: {
    build_key: string;
    status: string;
    log_tail: string;
    updated_at: string;
  };
  /** Memories of memory stores (migration 0007); the store is a `memory_store` resource row. */
  memories: {
    id: string;
    store_id: string;
    workspace_id: string;
    path: string;
    content: string;
    content_sha256: string;
    content_size_bytes: number;
    version_id: string;
    created_at: string;
    updated_at: string;
  };
  /** Every change to a memory, immutable but for redaction (which nulls the content columns). */
  memory_versions: {
    id: string;
    store_id: string;
    workspace_id: string;
    memory_id: string;
    operation: string;
    path: string | null;
    content: string | null;
    content_sha256: string | null;
    content_size_bytes: number | null;
    created_at: string;
    /** JSON actor, or null when unknown; the two ids below are its filterable copies. */
    created_by: string | null;
    session_id: string | null;
    api_key_id: string | null;
    redacted_at: string | null;
    redacted_by: string | null;
  };
  /** Webhooks (migration 0011, src/core/webhooks/). */
  webhook_endpoints: {
    id: string;
    workspace_id: string;
    url: string;
    name: string;
    description: string;
    /** JSON array of event types. */
    enabled_events: string;
    state: string;
    disabled_reason: string;
    sealed_secret: string;
    created_at: string;
    updated_at: string;
  };
  webhook_events: {
    id: string;
    workspace_id: string;
    type: string;
    created_at: string;
    payload: string;
  };
  webhook_deliveries: {
    id: string;
    event_id: string;
    endpoint_id: string;
    workspace_id: string;
    event_type: string;
    status: string;
    attempts: number;
    next_attempt_at: string;
    lease_owner: string | null;
    lease_expires_at: string | null;
    last_status_code: number | null;
    last_error: string;
    /** 1 for a manual redelivery. */
    manual: number;
    created_at: string;
    updated_at: string;
  };
  webhook_attempts: {
    delivery_id: string;
    attempt: number;
    endpoint_id: string;
    started_at: string;
    duration_ms: number;
    status_code: number | null;
    error: string;
    response_excerpt: string;
  };
  /** Deployment runs (migration 0010); (deployment_id, scheduled_at) is unique. */
  deployment_runs: {
    id: string;
    deployment_id: string;
    workspace_id: string;
    trigger_type: string;
    scheduled_at: string | null;
    session_id: string | null;
    status: string;
    /** 0 or 1 (SQLite has no boolean). */
    has_error: number;
    created_at: string;
    updated_at: string;
    doc: string;
  };
  /** Present only so the type mentions Generated; keeps kysely's helper import honest. */
  _unused?: { id: Generated<number> };
}
