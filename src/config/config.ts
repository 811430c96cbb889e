import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type PriceFile, parsePriceFile } from '../core/metering/prices.js';
import type { FreeDiskReader } from '../core/storage/low-disk-guard.js';
import { type FileStorage, parseBlobStorage, type S3Config } from './blob-storage.js';
import { parseSchedulerConfig, type SchedulerConfig } from './deployments.js';
import {
  httpUrl,
  nonEmpty,
  parseBoolean,
  parseMap,
  parsePort,
  parsePositive,
  parsePositiveInteger,
} from './parse-env.js';
import { parseTunnelConfig, type TunnelConfig } from './tunnels.js';
import { parseWorkflowConfig, type WorkflowConfig } from './workflows.js';

export type { FileStorage, S3Config } from './blob-storage.js';

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
  /**
   * This node drives sessions (PADDOCK_HARNESS, default true). `false` makes a pure API node on
   * Postgres, leaving sessions to `paddock worker` nodes.
   */
  harness: boolean;
  /** The web_search backend (PADDOCK_WEB_SEARCH…, docs/configuration.md); undefined: the tool says none is configured. */
  webSearch?: WebSearchConfig | undefined;
  /** How long a node's lease on a running session lasts without renewal (PADDOCK_LEASE_TTL_MS). */
  leaseTtlMs: number;
  /**
   * Webhook deliveries (docs/webhooks.md): one attempt's time limit (PADDOCK_WEBHOOK_TIMEOUT_MS,
   * default 10 s) and how often a node looks for due deliveries (PADDOCK_WEBHOOK_POLL_MS, default 1 s).
   */
  webhooks: { timeoutMs: number; pollMs: number };
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
  /** Serve the web console at /console (PADDOCK_CONSOLE, default true; docs/console.md). */
  console: boolean;
  /** The deployment scheduler (config/deployments.ts); absent: its defaults. */
  deployments?: SchedulerConfig | undefined;
}

/** Settings for src/sandbox drivers (see docs/decisions/0004-sandbox-bwrap.md). */
export interface SandboxConfig {
  /** Cache of the base root filesystem (PADDOCK_ROOTFS_DIR); undefined means `<dataDir>/rootfs`. */
  rootfsDir: string | undefined;
  /** Debian mirror for debootstrap (PADDOCK_DEBIAN_MIRROR). */
  debianMirror: string;
  /** Stop a session's sandbox after this long without tool calls (PADDOCK_SANDBOX_IDLE_MS). */
  idleTimeoutMs: number;
  /** Default limits (PADDOCK_SANDBOX_MEMORY_MB, _PIDS, _CPUS, _DISK_MB). */
  limits: { memoryBytes: number; pids: number; cpus: number; diskBytes: number };
  /**
   * The most an environment may ask for through its `paddock.memory_mb`, `paddock.pids`,
   * `paddock.cpus` and `paddock.disk_mb` metadata (PADDOCK_SANDBOX_MAX_MEMORY_MB, _MAX_PIDS,
   * _MAX_CPUS, _MAX_DISK_MB).
   */
  maxLimits: { memoryBytes: number; pids: number; cpus: number; diskBytes: number };
  /** Host uid/gid the sandbox's root maps to when the server runs as root (PADDOCK_SANDBOX_UID). */
  hostUid: number;
  /** An environment package-layer build is killed and fails after this long (PADDOCK_LAYER_BUILD_TIMEOUT_MS). */
  layerBuildTimeoutMs: number;
  /** Where `github_repository` resources are cloned from (PADDOCK_GITHUB_BASE_URL); default https://github.com. */
  githubBaseUrl: string;
  /**
   * PADDOCK_GITHUB_BASE_URL was set: the operator chose the base, so its address is not checked.
   * The default base's address is checked by the address policy before each clone (docs/security.md).
   */
  githubBaseUrlConfigured: boolean;
  /**
   * PEM certificates the egress proxy trusts, besides Node's bundled CAs, for
   * upstream servers of intercepted TLS (the file at PADDOCK_EGRESS_EXTRA_CA_FILE).
   */
  egressExtraCa?: string | undefined;
  /**
   * Bytes of request bodies one sandbox may have buffered at once for secret substitution
   * (PADDOCK_EGRESS_BODY_BUDGET_MB, default 64); requests past it get a 503 from the proxy.
   */
  egressBodyBudgetBytes: number;
  /**
   * Bytes of outputs one session may store from /mnt/session/outputs, counted on bytes actually
   * stored (PADDOCK_SESSION_OUTPUT_MAX_MB, default 1024); collection stops with an event past it.
   */
  sessionOutputMaxBytes: number;
  /** NAT for `unrestricted` sandboxes (PADDOCK_SANDBOX_NAT, default true; needs root, nft and ip). */
  nat: boolean;
  /** IPv4 range sandbox addresses come from (PADDOCK_SANDBOX_SUBNET, default 10.88.0.0/16). */
  subnet: string;
  /** Resolvers the sandbox DNS relay asks (PADDOCK_SANDBOX_DNS, comma-separated); default: the host's. */
  dnsServers: string | undefined;
  /**
   * The user's runtime directory (XDG_RUNTIME_DIR): a non-root server keeps its egress proxy
   * sockets there, else under the system temporary directory. A root server uses /run.
   */
  runtimeDir?: string | undefined;
}

/** Where web_search queries go. The search runs on the server; the key never enters a sandbox. */
export type WebSearchConfig =
  | { backend: 'searxng'; url: string }
  | { backend: 'brave'; apiKey: string; baseUrl: string };

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
    harness: env['PADDOCK_HARNESS'] !== 'false',
    console: parseBoolean('PADDOCK_CONSOLE', env['PADDOCK_CONSOLE'], true),
    deployments: parseSchedulerConfig(env),
    sseMaxBufferBytes: parsePositive(env, 'PADDOCK_SSE_MAX_BUFFER_BYTES', 4 * 1024 * 1024),
    leaseTtlMs: parsePositive(env, 'PADDOCK_LEASE_TTL_MS', 30_000),
    webhooks: {
      timeoutMs: parsePositive(env, 'PADDOCK_WEBHOOK_TIMEOUT_MS', 10_000),
      pollMs: parsePositive(env, 'PADDOCK_WEBHOOK_POLL_MS', 1_000),
    },
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
    webSearch: loadWebSearch(env),
    sandbox: {
      rootfsDir: nonEmpty(env['PADDOCK_ROOTFS_DIR']),
      debianMirror: env['PADDOCK_DEBIAN_MIRROR'] ?? 'http://deb.debian.org/debian',
      idleTimeoutMs: parsePositive(env, 'PADDOCK_SANDBOX_IDLE_MS', 10 * 60_000),
      limits: {
        memoryBytes: parsePositive(env, 'PADDOCK_SANDBOX_MEMORY_MB', 4096) * 1024 * 1024,
        pids: parsePositive(env, 'PADDOCK_SANDBOX_PIDS', 1024),
        cpus: parsePositive(env, 'PADDOCK_SANDBOX_CPUS', 2),
        diskBytes: parsePositive(env, 'PADDOCK_SANDBOX_DISK_MB', 10_240) * 1024 * 1024,
      },
      maxLimits: {
        memoryBytes: parsePositive(env, 'PADDOCK_SANDBOX_MAX_MEMORY_MB', 16_384) * 1024 * 1024,
        pids: parsePositive(env, 'PADDOCK_SANDBOX_MAX_PIDS', 4096),
        cpus: parsePositive(env, 'PADDOCK_SANDBOX_MAX_CPUS', availableParallelism()),
        diskBytes: parsePositive(env, 'PADDOCK_SANDBOX_MAX_DISK_MB', 102_400) * 1024 * 1024,
      },
      hostUid: parsePositive(env, 'PADDOCK_SANDBOX_UID', 100_000),
      layerBuildTimeoutMs: parsePositiveInteger(
        'PADDOCK_LAYER_BUILD_TIMEOUT_MS',
        nonEmpty(env['PADDOCK_LAYER_BUILD_TIMEOUT_MS']) ?? String(15 * 60_000),
      ),
      githubBaseUrl: nonEmpty(env['PADDOCK_GITHUB_BASE_URL']) ?? 'https://github.com',
      githubBaseUrlConfigured: nonEmpty(env['PADDOCK_GITHUB_BASE_URL']) !== undefined,
      egressExtraCa: loadCaFile(nonEmpty(env['PADDOCK_EGRESS_EXTRA_CA_FILE'])),
      egressBodyBudgetBytes: parsePositive(env, 'PADDOCK_EGRESS_BODY_BUDGET_MB', 64) * 1024 * 1024,
      sessionOutputMaxBytes: parsePositive(env, 'PADDOCK_SESSION_OUTPUT_MAX_MB', 1024) * 1024 * 1024,
      nat: env['PADDOCK_SANDBOX_NAT'] !== 'false',
      subnet: nonEmpty(env['PADDOCK_SANDBOX_SUBNET']) ?? '10.88.0.0/16',
      dnsServers: nonEmpty(env['PADDOCK_SANDBOX_DNS']),
      runtimeDir: nonEmpty(env['XDG_RUNTIME_DIR']),
    },
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

/** `postgres://…` or `postgresql://…` selects Postgres; anything else is SQLite. */
/** What a CLI client command (`paddock keys`, `paddock env-key`) needs to reach a running server. */
export interface ClientConfig {
  /** --base-url, else PADDOCK_BASE_URL, else http://127.0.0.1:$PADDOCK_PORT. */
  baseUrl: string;
  /** --api-key, else PADDOCK_API_KEY, else PADDOCK_ADMIN_KEY. */
  apiKey: string | undefined;
}

export function loadClientConfig(
  flags: { baseUrl?: string | undefined; apiKey?: string | undefined } = {},
  env: Env = process.env,
): ClientConfig {
  const port = parsePort(env['PADDOCK_PORT'] ?? '4000');
  const baseUrl = flags.baseUrl ?? nonEmpty(env['PADDOCK_BASE_URL']) ?? `http://127.0.0.1:${port}`;
  return {
    baseUrl: httpUrl('PADDOCK_BASE_URL (or --base-url)', baseUrl).replace(/\/+$/, ''),
    apiKey: flags.apiKey ?? nonEmpty(env['PADDOCK_API_KEY']) ?? nonEmpty(env['PADDOCK_ADMIN_KEY']),
  };
}

export const isPostgresUrl = (url: string | undefined): boolean => /^postgres(ql)?:\/\//.test(url ?? '');

function loadPriceFile(path: string | undefined): PriceFile | undefined {
  if (path === undefined) return undefined;
  try {
    return parsePriceFile(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`PADDOCK_PRICES_FILE (${path}): ${reason}`);
  }
}

/** PADDOCK_WEB_SEARCH picks the backend; without it, whichever backend's variable is set. */
function loadWebSearch(env: Env): WebSearchConfig | undefined {
  const choice = nonEmpty(env['PADDOCK_WEB_SEARCH'])?.toLowerCase();
  const url = nonEmpty(env['PADDOCK_WEB_SEARCH_URL']);
  const apiKey = nonEmpty(env['PADDOCK_BRAVE_SEARCH_API_KEY']);
  if (choice === undefined && url && apiKey) {
    throw new Error(
      'PADDOCK_WEB_SEARCH_URL and PADDOCK_BRAVE_SEARCH_API_KEY are both set: choose one with PADDOCK_WEB_SEARCH=searxng|brave',
    );
  }
  const backend = choice ?? (url ? 'searxng' : apiKey ? 'brave' : 'none');
  if (backend === 'none') return undefined;
  if (backend === 'searxng') {
    if (!url)
      throw new Error('PADDOCK_WEB_SEARCH=searxng needs PADDOCK_WEB_SEARCH_URL (the SearXNG base URL)');
    return { backend, url: httpUrl('PADDOCK_WEB_SEARCH_URL', url) };
  }
  if (backend === 'brave') {
    if (!apiKey) throw new Error('PADDOCK_WEB_SEARCH=brave needs PADDOCK_BRAVE_SEARCH_API_KEY');
    const baseUrl = nonEmpty(env['PADDOCK_BRAVE_SEARCH_BASE_URL']) ?? 'https://api.search.brave.com';
    return { backend, apiKey, baseUrl: httpUrl('PADDOCK_BRAVE_SEARCH_BASE_URL', baseUrl) };
  }
  throw new Error(`PADDOCK_WEB_SEARCH must be searxng, brave or none, got ${JSON.stringify(choice)}`);
}

function loadCaFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `PADDOCK_EGRESS_EXTRA_CA_FILE (${path}): ${error instanceof Error ? error.message : error}`,
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error(`PADDOCK_EGRESS_EXTRA_CA_FILE (${path}): holds no PEM certificate`);
  return text;
}
