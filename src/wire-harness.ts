import type { PaddockConfig } from './config/config.js';
import type { Clock } from './core/clock.js';
import { environmentLimits } from './core/environments/environment-limits.js';
import type { EnvironmentService } from './core/environments/environment-service.js';
import type { FileService } from './core/files/file-service.js';
import { DefaultToolRunner } from './core/harness/default-tool-runner.js';
import { DelegationTools } from './core/harness/delegation-tools.js';
import { Harness } from './core/harness/harness.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './core/harness/retry-policy.js';
import { ThreadKicks } from './core/harness/run-threads.js';
import { harnessLog, harnessSessions } from './core/harness/session-log-adapters.js';
import { ThreadDirectory } from './core/harness/thread-directory.js';
import type { IdGenerator } from './core/ids.js';
import { resolvePrices } from './core/metering/prices.js';
import type { EventBus } from './core/ports/event-bus.js';
import type { HarnessSession } from './core/ports/harness-sessions.js';
import type { ModelProvider, ModelRouter } from './core/ports/model-provider.js';
import type { SandboxDriver, SandboxLimits, SandboxSpec } from './core/ports/sandbox.js';
import type { SessionRunner } from './core/ports/session-runner.js';
import type { Store } from './core/ports/store.js';
import type { EventLog } from './core/sessions/event-log.js';
import type { SessionService } from './core/sessions/session-service.js';
import type { CredentialService } from './core/vaults/credential-service.js';
import { sandboxSecrets } from './core/vaults/sandbox-secrets.js';
import type { VaultService } from './core/vaults/vault-service.js';
import { lazyMcpRunner } from './mcp/lazy-mcp-runner.js';
import { vaultCredentialStore } from './mcp/vault-credential-store.js';
import { nodeIdentity } from './node-identity.js';
import { createModelRouter } from './providers/model-router.js';
import { createSandboxDriver } from './sandbox/create-driver.js';
import { createOutboundFetch } from './outbound/outbound-fetch.js';
import { createWebSearchBackend, searchBackendHost } from './search/create-web-search-backend.js';

export interface HarnessTuning {
  retry?: Partial<RetryPolicy>;
  leaseTtlMs?: number;
  maxSteps?: number;
  /** Context window used to decide when to compact (tests use a tiny one). */
  contextWindowTokens?: number;
  /** Replace providers by name (tests inject an in-process scripted provider). */
  providers?: Partial<Record<'anthropic' | 'openai-compatible' | 'scripted', ModelProvider>>;
  sandboxes?: SandboxDriver;
}

export interface WiredHarness {
  harness: Harness;
  /** What the API calls: the local harness, plus a bus signal for the other nodes. */
  runner: SessionRunner;
  sandboxes: SandboxDriver;
  close(): Promise<void>;
}

export function wireHarness(options: {
  config: PaddockConfig;
  store: Store;
  bus: EventBus;
  clock: Clock;
  events: EventLog;
  sessions: SessionService;
  environments: EnvironmentService;
  files: FileService;
  /** MCP servers authenticate with the session's vault credentials. */
  vaults: VaultService;
  credentials: CredentialService;
  /** Opens sealed repository tokens for host-side clones; without it repositories are cloned anonymously. */
  secrets?: { open(ownerId: string, sealed: string): string } | undefined;
  ids: IdGenerator;
  tuning?: HarnessTuning | undefined;
  onError: (error: unknown, sessionId: string) => void;
}): WiredHarness {
  const { config, store, bus, clock, events, sessions, environments, files } = options;
  const tuning = options.tuning ?? {};
  const nodeId = nodeIdentity(store.dialect, config.dataDir);
  const router: ModelRouter = createModelRouter(config, { providers: tuning.providers });
  // Files a sandbox writes under /mnt/session/outputs become the session's Files API objects.
  const onOutputs = async (sessionId: string, outputs: Array<{ path: string; content: Buffer }>) => {
    for (const output of outputs)
      await files.createFromBuffer(output.content, { filename: output.path, scopeId: sessionId });
  };
  const sandboxes = tuning.sandboxes ?? lazySandboxDriver(() => createSandboxDriver(config, { onOutputs }));
  const log = harnessLog(events, nodeId);
  // Multi-agent: delegation starts worker threads inside the session's current wake.
  const directory = new ThreadDirectory(store, options.ids, clock);
  const kicks = new ThreadKicks((sessionId) => harness.notify(sessionId));
  const delegation = new DelegationTools({
    log,
    directory,
    kick: (sessionId, threadId) => kicks.kick(sessionId, threadId),
  });
  // One outbound client, one address policy (docs/security.md, "Outbound requests"); only the
  // hosts each use may reach although private differ.
  const outbound = (allowedPrivateHosts: readonly string[]) =>
    createOutboundFetch({ allowPrivate: config.allowPrivateNetworks, allowedPrivateHosts });
  const mcp = lazyMcpRunner({
    credentials: vaultCredentialStore(options.vaults, options.credentials),
    fetch: outbound(config.mcpAllowedPrivateHosts),
    clock,
    appendEvents: (sessionId, drafts) => log.append(sessionId, drafts),
  });
  const openToken = async (resourceId: string) => {
    const sealed = await store.secrets.get(resourceId);
    return sealed === undefined || !options.secrets ? undefined : options.secrets.open(resourceId, sealed);
  };
  const tools = new DefaultToolRunner({
    sandboxes,
    sandboxSpec: async (session) => ({
      ...(await sandboxSpec(session, environments, files, sessions, openToken, config.sandbox.maxLimits)),
      ...(await environmentSecrets(session, options.vaults)),
    }),
    webFetch: { fetch: outbound([]), maxBytes: 1024 * 1024, timeoutMs: 30_000 },
    webSearch: createWebSearchBackend(config.webSearch, outbound(searchBackendHost(config.webSearch))),
    delegates: { mcp, delegation },
  });
  const harness = new Harness({
    log,
    sessions: harnessSessions(
      sessions,
      events,
      nodeId,
      async (environmentId) =>
        // Self-hosted sessions leave sandbox built-ins to their worker (core/harness/tool-placement.ts).
        (await environments.getDocument(environmentId)).config.type,
    ),
    router,
    tools,
    clock,
    retry: { ...DEFAULT_RETRY_POLICY, ...tuning.retry },
    maxSteps: tuning.maxSteps ?? 200,
    contextWindowTokens: tuning.contextWindowTokens ?? config.contextWindowTokens,
    prices: resolvePrices(config.prices),
    leases: store.leases,
    nodeId,
    leaseTtlMs: tuning.leaseTtlMs ?? config.leaseTtlMs,
    onError: options.onError,
    threads: { directory, kicks },
    // Ownership by liveness (docs/scale-out.md); a draining node's sessions are signalled anew.
    fleet: {
      repository: store.fleet,
      ...config.fleet,
      resignal: (sessionId) => bus.signalSession(sessionId),
    },
    onTakeover: ({ sessionId, previousOwner, reason }) => {
      process.stderr.write(`paddock: took over ${sessionId} from node ${previousOwner} (${reason})\n`);
    },
  });
  // Signals from any node (this one included: the bus delivers locally too) reach this harness.
  const unsubscribe = bus.onSessionSignal((sessionId, signal) =>
    signal.type === 'interrupt' ? harness.interrupt(sessionId) : harness.notify(sessionId),
  );
  // Signals sent while this node's bus was down are lost: look in the database for their work.
  const unsubscribeReconnect = bus.onReconnect?.(() => harness.sweepSoon());
  const runner: SessionRunner = {
    notify(sessionId) {
      bus.signalSession(sessionId);
    },
    interrupt(sessionId, threadId) {
      // The turn may be running on another node (a `paddock worker`): the bus carries it there.
      bus.signalSession(sessionId, { type: 'interrupt', threadId: threadId ?? null });
    },
  };
  return {
    harness,
    runner,
    sandboxes,
    async close() {
      unsubscribe();
      unsubscribeReconnect?.();
      await harness.stop();
      await sandboxes.close();
      await mcp.close();
    },
  };
}

async function sandboxSpec(
  session: HarnessSession,
  environments: EnvironmentService,
  files: FileService,
  sessions: SessionService,
  openToken: (resourceId: string) => Promise<string | undefined>,
  maxLimits: SandboxLimits,
): Promise<SandboxSpec> {
  const environment = await environments.getDocument(session.environmentId);
  const spec: SandboxSpec = {
    sessionId: session.id,
    environmentId: environment.id,
    network: { type: 'unrestricted' },
    limits: environmentLimits(environment.metadata, undefined),
  };
  // Checked against the ceilings when written; an operator may have lowered them since.
  for (const key of ['memoryBytes', 'pids', 'cpus', 'diskBytes'] as const) {
    const wanted = spec.limits?.[key];
    if (wanted !== undefined && spec.limits) spec.limits[key] = Math.min(wanted, maxLimits[key] ?? wanted);
  }
  if (environment.config.type === 'cloud') {
    spec.network = environment.config.networking;
    // The egress policy opens these hosts only when the environment sets allow_mcp_servers.
    if (spec.network.type === 'limited')
      spec.network = {
        ...spec.network,
        mcpServerUrls: session.agent.mcp_servers.map((server) => server.url),
      };
    const { type: _type, ...packages } = environment.config.packages;
    spec.packages = packages;
  }
  const full = await sessions.retrieve(session.id);
  const mounts: NonNullable<SandboxSpec['mounts']> = [];
  const repositories: NonNullable<SandboxSpec['repositories']> = [];
  for (const resource of full.resources) {
    if (resource.type === 'github_repository') {
      repositories.push({
        url: resource.url,
        sandboxPath: resource.mount_path,
        checkout: resource.checkout,
        authorizationToken: await openToken(resource.id),
      });
      continue;
    }
    mounts.push({
      hostPath: await files.hostPath(resource.file_id),
      sandboxPath: resource.mount_path,
      readOnly: true,
    });
  }
  if (mounts.length > 0) spec.mounts = mounts;
  if (repositories.length > 0) spec.repositories = repositories;
  return spec;
}

/** The session's `environment_variable` credentials, substituted by the sandbox's egress proxy. */
async function environmentSecrets(
  session: HarnessSession,
  vaults: VaultService,
): Promise<Pick<SandboxSpec, 'secrets'>> {
  if (session.vaultIds.length === 0) return {};
  const secrets = sandboxSecrets(session.id, await vaults.resolveCredentials(session.vaultIds));
  return secrets.length > 0 ? { secrets } : {};
}

/**
 * The driver is created at the first tool call, not at start-up: a server
 * whose sessions never touch a sandbox starts fast and needs no bubblewrap,
 * and a driver that cannot start becomes a tool error the model sees.
 */
function lazySandboxDriver(create: () => Promise<SandboxDriver>): SandboxDriver {
  let driver: Promise<SandboxDriver> | undefined;
  let loaded: SandboxDriver | undefined;
  const get = () => {
    driver ??= create().then(
      (created) => {
        loaded = created;
        return created;
      },
      (error: unknown) => {
        driver = undefined;
        throw error;
      },
    );
    return driver;
  };
  return {
    name: 'lazy',
    acquire: async (spec) => (await get()).acquire(spec),
    destroy: async (sessionId) => (driver ? (await get()).destroy(sessionId) : undefined),
    flushOutputs: async (sessionId) => (driver ? (await get()).flushOutputs?.(sessionId) : undefined),
    provisioned: (sessionId) => loaded?.provisioned?.(sessionId),
    close: async () => (driver ? (await driver.catch(() => undefined))?.close() : undefined),
  };
}
