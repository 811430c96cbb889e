import { resolve } from 'node:path';
import type { PriceFile } from '../core/metering/prices.js';
import type { FreeDiskReader } from '../core/storage/low-disk-guard.js';
import { type FileStorage, parseBlobStorage, type S3Config } from './blob-storage.js';
import { type ClientConfig, type ClientFlags, parseClientConfig } from './client.js';
import { parseSchedulerConfig, type SchedulerConfig } from './deployments.js';
import { parseIdleGcMs } from './idle-memory.js';
import {
  nonEmpty,
  parseBoolean,
  parseMap,
  parsePort,
  parsePositive,
  parsePositiveInteger,
} from './parse-env.js';
import { loadPriceFile } from './prices.js';
import { parseSandboxConfig, type SandboxConfig } from './sandbox.js';
import { parseSandboxPoolConfig, type SandboxPoolConfig } from './sandbox-pool.js';
import { parseTunnelConfig, type TunnelConfig } from './tunnels.js';
import { parseWebSearchConfig, type WebSearchConfig } from './web-search.js';
import { parseWebhookConfig, type WebhookConfig } from './webhooks.js';
import { parseWorkflowConfig, type WorkflowConfig } from './workflows.js';

export type { FileStorage, S3Config } from './blob-storage.js';
export type { ClientConfig } from './client.js';
export type { SandboxConfig } from './sandbox.js';
export type { WebSearchConfig } from './web-search.js';
export type { WebhookConfig } from './webhooks.js';

/**
 * The only module that reads process.env. Everything else receives a typed
 * PaddockConfig. Every variable here is documented in README.md.
 */
export interface PaddockConfig {
  port: number;
  host: string;
  dataDir: string;
  /** `postgres://…` selects Postgres; undefined means SQLite in dataDir. */
  databaseUrl: string | undefined;
  adminKey: string | undefined;
  /** 32-byte key (hex or base64) for secrets at rest; default: a key file in dataDir. */
  secretKey: string | undefined;
  /** Largest accepted file upload in bytes (PADDOCK_MAX_UPLOAD_BYTES); default 500 MiB. */
  maxUploadBytes: number;
  /** Skill bundles (docs/skills.md): PADDOCK_SKILL_MAX_BYTES (default 8 MiB), PADDOCK_SKILL_MAX_FILES (default 500). */
  skills?: { maxBytes: number; maxFiles: number } | undefined;
  /**
   * Below this much free space on the data dir's filesystem, new sandboxes and uploads are
   * refused (PADDOCK_MIN_FREE_DISK_MB, default 1024; 0 disables).
   */
  minFreeDiskBytes: number;
  /** Test-only, never from the environment: how free space on the data dir's disk is read (default statfs). */
  freeDiskBytes?: FreeDiskReader | undefined;
  /** Where file bytes and workspace snapshots live (PADDOCK_FILE_STORAGE): `s3` with a PADDOCK_BLOB_URL, else `database` on Postgres, else `disk`. */
  fileStorage: FileStorage;
  /** The bucket of PADDOCK_BLOB_URL and its PADDOCK_S3_* settings (src/config/blob-storage.ts). */
  s3?: S3Config | undefined;
  /** Snapshot session workspaces to blob storage at the end of each turn (PADDOCK_WORKSPACE_SNAPSHOTS, default true). */
  workspaceSnapshots?: boolean | undefined;
  anthropic: { baseUrl: string; apiKey: string | undefined };
  openai: { baseUrl: string | undefined; apiKey: string | undefined; models: Record<string, string> };
  /** Model id → provider name. `*` is the fallback. */
  modelRoutes: Record<string, string>;
  sandboxDriver: string | undefined;
  sandbox: SandboxConfig;
  /** web_fetch (and later egress) may reach loopback and private ranges (PADDOCK_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: boolean;
  /**
   * Host names, IPs and CIDRs MCP servers and their OAuth token endpoints may use although they
   * are loopback or private (PADDOCK_MCP_ALLOWED_PRIVATE_HOSTS, comma-separated; default none).
   */
  mcpAllowedPrivateHosts: string[];
  /** Tunnels' domain and gateway (PADDOCK_TUNNEL_DOMAIN, PADDOCK_TUNNEL_GATEWAY; config/tunnels.ts). */
  tunnels: TunnelConfig;
  /** Workflow runs' limits and runtime (PADDOCK_WORKFLOW_*; config/workflows.ts, docs/workflows.md). */
  workflows: WorkflowConfig;
  /** The warm sandbox pool (PADDOCK_SANDBOX_POOL_*; config/sandbox-pool.ts). */
  sandboxPool: SandboxPoolConfig;
  /**
   * This node drives sessions (PADDOCK_HARNESS, default true). `false` makes a pure API node on
   * Postgres, leaving sessions to `paddock worker` nodes.
   */
  harness: boolean;
  /** The web_search backend (PADDOCK_WEB_SEARCH…, docs/configuration.md); undefined: the tool says none is configured. */
  webSearch?: WebSearchConfig | undefined;
  /** How long a node's lease on a running session lasts without renewal (PADDOCK_LEASE_TTL_MS). */
  leaseTtlMs: number;
  /** Webhook deliveries (PADDOCK_WEBHOOK_*; config/webhooks.ts, docs/webhooks.md). */
  webhooks: WebhookConfig;
  /**
   * Node liveness (docs/scale-out.md): a node records a heartbeat every `heartbeatMs`
   * (PADDOCK_NODE_HEARTBEAT_MS); another node takes its sessions only after none for `nodeTtlMs`
   * (PADDOCK_NODE_TTL_MS) or while it drains. A draining node finishes its turns for at most
   * `drainTimeoutMs` (PADDOCK_DRAIN_TIMEOUT_MS) before it hands the rest off.
   */
  fleet: { heartbeatMs: number; nodeTtlMs: number; drainTimeoutMs: number };
  /** Context window assumed for compaction (PADDOCK_CONTEXT_WINDOW_TOKENS, default 200000). */
  contextWindowTokens: number;
  /**
   * Outcome grading (docs/outcomes.md): the grader's model (PADDOCK_OUTCOME_GRADER_MODEL, default the
   * session agent's) and the least time between evaluation heartbeats (PADDOCK_OUTCOME_HEARTBEAT_MS).
   */
  outcomes: { graderModel?: string | undefined; heartbeatMs: number };
  logLevel: string;
  /** OTLP/HTTP traces go here when set (OTEL_EXPORTER_OTLP_ENDPOINT, the OpenTelemetry variable; docs/operations.md). */
  otlpEndpoint?: string | undefined;
  /** Also serve GET /metrics without authentication on this port (PADDOCK_METRICS_PORT; docs/operations.md). */
  metricsPort?: number | undefined;
  /** List-price overrides from the JSON file at PADDOCK_PRICES_FILE (docs/metering.md); undefined: defaults. */
  prices: PriceFile | undefined;
  /** Interval of SSE keepalive comments; tests shorten it. Default 15 s. */
  sseHeartbeatMs?: number | undefined;
  /**
   * Bytes an SSE stream may hold for a client that does not read before it is cut off with an
   * error event (PADDOCK_SSE_MAX_BUFFER_BYTES, default 4 MiB); the client resumes with Last-Event-ID.
   */
  sseMaxBufferBytes: number;
  /** Quiet ms before a serving node collects garbage once (PADDOCK_IDLE_GC_MS; config/idle-memory.ts); 0: never. */
  idleGcMs?: number | undefined;
  /** Serve the web console at /console (PADDOCK_CONSOLE, default true; docs/console.md). */
  console: boolean;
  /** The deployment scheduler (config/deployments.ts); absent: its defaults. */
  deployments?: SchedulerConfig | undefined;
}

export type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, overrides: Partial<PaddockConfig> = {}): PaddockConfig {
  const config: PaddockConfig = {
    port: parsePort(env['PADDOCK_PORT'] ?? '4000'),
    host: env['PADDOCK_HOST'] ?? '127.0.0.1',
    dataDir: resolve(env['PADDOCK_DATA_DIR'] ?? './.paddock'),
    databaseUrl: nonEmpty(env['PADDOCK_DATABASE_URL']),
    adminKey: nonEmpty(env['PADDOCK_ADMIN_KEY']),
    secretKey: nonEmpty(env['PADDOCK_SECRET_KEY']),
    maxUploadBytes: parsePositiveInteger(
      'PADDOCK_MAX_UPLOAD_BYTES',
      env['PADDOCK_MAX_UPLOAD_BYTES'] ?? String(500 * 1024 * 1024),
    ),
    minFreeDiskBytes: parsePositive(env, 'PADDOCK_MIN_FREE_DISK_MB', 1024) * 1024 * 1024,
    skills: {
      maxBytes: parsePositiveInteger(
        'PADDOCK_SKILL_MAX_BYTES',
        env['PADDOCK_SKILL_MAX_BYTES'] ?? String(8 * 1024 * 1024),
      ),
      maxFiles: parsePositiveInteger('PADDOCK_SKILL_MAX_FILES', env['PADDOCK_SKILL_MAX_FILES'] ?? '500'),
    },
    ...parseBlobStorage(env, isPostgresUrl(nonEmpty(env['PADDOCK_DATABASE_URL']))),
    workspaceSnapshots: parseBoolean('PADDOCK_WORKSPACE_SNAPSHOTS', env['PADDOCK_WORKSPACE_SNAPSHOTS'], true),
    anthropic: {
      baseUrl: env['PADDOCK_ANTHROPIC_BASE_URL'] ?? 'https://api.anthropic.com',
      apiKey: nonEmpty(env['ANTHROPIC_API_KEY']),
    },
    openai: {
      baseUrl: nonEmpty(env['PADDOCK_OPENAI_BASE_URL']),
      apiKey: nonEmpty(env['PADDOCK_OPENAI_API_KEY'] ?? env['OPENAI_API_KEY']),
      models: parseMap(env['PADDOCK_OPENAI_MODEL_MAP']),
    },
    modelRoutes: parseMap(env['PADDOCK_MODEL_ROUTES']),
    sandboxDriver: nonEmpty(env['PADDOCK_SANDBOX']),
    allowPrivateNetworks: env['PADDOCK_ALLOW_PRIVATE_NETWORKS'] === 'true',
    mcpAllowedPrivateHosts: (env['PADDOCK_MCP_ALLOWED_PRIVATE_HOSTS'] ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
    tunnels: parseTunnelConfig(env),
    workflows: parseWorkflowConfig(env),
    sandboxPool: parseSandboxPoolConfig(env),
    harness: env['PADDOCK_HARNESS'] !== 'false',
    console: parseBoolean('PADDOCK_CONSOLE', env['PADDOCK_CONSOLE'], true),
    deployments: parseSchedulerConfig(env),
    sseMaxBufferBytes: parsePositive(env, 'PADDOCK_SSE_MAX_BUFFER_BYTES', 4 * 1024 * 1024),
    idleGcMs: parseIdleGcMs(env),
    leaseTtlMs: parsePositive(env, 'PADDOCK_LEASE_TTL_MS', 30_000),
    webhooks: parseWebhookConfig(env),
    fleet: {
      heartbeatMs: parsePositive(env, 'PADDOCK_NODE_HEARTBEAT_MS', 2_000),
      nodeTtlMs: parsePositive(env, 'PADDOCK_NODE_TTL_MS', 10_000),
      drainTimeoutMs: parsePositive(env, 'PADDOCK_DRAIN_TIMEOUT_MS', 60_000),
    },
    contextWindowTokens: parsePositive(env, 'PADDOCK_CONTEXT_WINDOW_TOKENS', 200_000),
    outcomes: {
      graderModel: nonEmpty(env['PADDOCK_OUTCOME_GRADER_MODEL']),
      heartbeatMs: parsePositive(env, 'PADDOCK_OUTCOME_HEARTBEAT_MS', 10_000),
    },
    webSearch: parseWebSearchConfig(env),
    sandbox: parseSandboxConfig(env),
    logLevel: env['PADDOCK_LOG_LEVEL'] ?? 'info',
    otlpEndpoint: nonEmpty(env['OTEL_EXPORTER_OTLP_ENDPOINT']),
    metricsPort: nonEmpty(env['PADDOCK_METRICS_PORT'])
      ? parsePositiveInteger('PADDOCK_METRICS_PORT', env['PADDOCK_METRICS_PORT'] ?? '')
      : undefined,
    prices: loadPriceFile(nonEmpty(env['PADDOCK_PRICES_FILE'])),
  };
  const merged = { ...config, ...overrides };
  // The default follows the database actually used, which an override may have changed.
  return {
    ...merged,
    fileStorage:
      overrides.fileStorage ?? parseBlobStorage(env, isPostgresUrl(merged.databaseUrl)).fileStorage,
  };
}

/** What a CLI client command needs to reach a running server (config/client.ts). */
export function loadClientConfig(flags: ClientFlags = {}, env: Env = process.env): ClientConfig {
  return parseClientConfig(flags, env);
}

/** `postgres://…` or `postgresql://…` selects Postgres; anything else is SQLite. */
export const isPostgresUrl = (url: string | undefined): boolean => /^postgres(ql)?:\/\//.test(url ?? '');
