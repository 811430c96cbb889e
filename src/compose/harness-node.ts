import type { PaddockConfig } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { buildGuardedDriver } from '../core/environments/environment-build-guard.js';
import type { EnvironmentBuilds } from '../core/environments/environment-builds.js';
import type { EnvironmentService } from '../core/environments/environment-service.js';
import type { FileService } from '../core/files/file-service.js';
import { DefaultToolRunner } from '../core/harness/default-tool-runner.js';
import { DelegationTools } from '../core/harness/delegation-tools.js';
import { prefillSpecs } from '../core/harness/expected-sandboxes.js';
import { Harness } from '../core/harness/harness.js';
import { MultiagentTools } from '../core/harness/multiagent-tools.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../core/harness/retry-policy.js';
import { ThreadKicks } from '../core/harness/run-threads.js';
import { sessionSandboxSpec } from '../core/harness/sandbox-spec.js';
import { createHarnessLog, createHarnessSessions } from '../core/harness/session-log-adapters.js';
import { ThreadDirectory } from '../core/harness/thread-directory.js';
import type { IdGenerator } from '../core/ids.js';
import type { MemoryService } from '../core/memory/memory-service.js';
import { resolvePrices } from '../core/metering/prices.js';
import type { EventBus } from '../core/ports/event-bus.js';
import type { ModelProvider, ModelRouter } from '../core/ports/model-provider.js';
import type { SandboxDriver } from '../core/ports/sandbox.js';
import type { SessionRunner } from '../core/ports/session-runner.js';
import type { Store } from '../core/ports/store.js';
import { NO_TELEMETRY, type Telemetry } from '../core/ports/telemetry.js';
import type { EventLog } from '../core/sessions/event-log.js';
import type { SessionService } from '../core/sessions/session-service.js';
import type { SkillReferences } from '../core/skills/skill-references.js';
import type { CredentialService } from '../core/vaults/credential-service.js';
import { createMcpCredentialSource } from '../core/vaults/mcp-credential-source.js';
import type { VaultService } from '../core/vaults/vault-service.js';
import type { WorkflowLimits } from '../core/workflows/workflow-run.js';
import type { WorkflowRunner } from '../core/workflows/workflow-runner.js';
import { createLazyMcpRunner } from '../mcp/lazy-mcp-runner.js';
import type { Logger } from '../observability/logger.js';
import { createOutboundFetch } from '../outbound/outbound-fetch.js';
import { createModelRouter } from '../providers/model-router.js';
import { reclaimLeftovers, removeSessionFiles } from '../sandbox/bwrap/leftovers.js';
import { createSandboxDriver } from '../sandbox/create-sandbox-driver.js';
import { outputsToFiles } from '../sandbox/outputs/outputs-to-files.js';
import { createWebSearchBackend, searchBackendHost } from '../search/create-web-search-backend.js';
import { harnessSettings, modelRouterOptions, outboundOptions, sandboxSettings } from './adapter-options.js';
import { createLazySandboxDriver } from './lazy-sandbox-driver.js';
import { nodeIdentity } from './node-identity.js';
import { observedSandboxes } from './observed-sandboxes.js';
import { outcomeSettings } from './outcomes.js';
import { createTunnelFetch } from './tunnels-user-profiles.js';
import { createWorkflows } from './workflows.js';
import { createWorkspaceSnapshots } from './workspace-snapshots.js';

export interface HarnessTuning {
  retry?: Partial<RetryPolicy>;
  leaseTtlMs?: number;
  maxSteps?: number;
  /** Context window used to decide when to compact (tests use a tiny one). */
  contextWindowTokens?: number;
  /** Replace providers by name (tests inject an in-process scripted provider). */
  providers?: Partial<Record<'anthropic' | 'openai-compatible' | 'scripted', ModelProvider>>;
  sandboxes?: SandboxDriver;
  /** Workflow run limits (docs/workflows.md); PADDOCK_WORKFLOW_* otherwise. */
  workflows?: Partial<WorkflowLimits>;
}

/** The harness of one node, with the adapters it drives sessions through. */
export interface HarnessNode {
  harness: Harness;
  /** What the core signals: a bus message, so the node driving the session hears it (this one too). */
  runner: SessionRunner;
  sandboxes: SandboxDriver;
  /** This node's workflow-run driver (tests stop it to hand a run to another node). */
  workflowRuns: WorkflowRunner;
  /** Before this node drives sessions: removes what a crashed server of its data dir left (bwrap). */
  reclaimLeftovers(): Promise<void>;
  /** Creates the sandbox driver ahead of the first tool call (starts no sandbox); no-op if injected. */
  warmSandboxes(): Promise<void>;
  /** After warmSandboxes: the sandboxes the first sessions will likely need, expected (PADDOCK_SANDBOX_POOL_PREFILL). */
  prefillSandboxes(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessNodeDeps {
  config: PaddockConfig;
  store: Store;
  bus: EventBus;
  clock: Clock;
  events: EventLog;
  sessions: SessionService;
  environments: EnvironmentService;
  /** Package builds: sessions' sandboxes go through them (a failed build is not run again). */
  environmentBuilds?: EnvironmentBuilds | undefined;
  files: FileService;
  /** MCP servers authenticate with the session's vault credentials. */
  vaults: VaultService;
  credentials: CredentialService;
  /** Opens sealed repository tokens for host-side clones; without it repositories are cloned anonymously. */
  secrets?: { open(ownerId: string, sealed: string): string } | undefined;
  /** Attached memory stores are mounted in sandboxes through it (src/core/memory/). */
  memories?: MemoryService | undefined;
  /** The agent's skills: mounted read-only in sandboxes and announced in the system prompt. */
  skills?: SkillReferences | undefined;
  ids: IdGenerator;
  tuning?: HarnessTuning | undefined;
  onError: (error: unknown, sessionId: string) => void;
  /** Metrics and traces (compose/observability.ts); default: none. */
  telemetry?: Telemetry | undefined;
  /** Sandbox start and layer-build failures are logged here. */
  logger: Logger;
}

/** Part of the composition root: chooses the harness's adapters (providers, sandbox, MCP, search, outbound). */
export function createHarnessNode(deps: HarnessNodeDeps): HarnessNode {
  const { config, store, bus, clock, events, sessions, environments, files } = deps;
  const tuning = deps.tuning ?? {};
  const settings = harnessSettings(config);
  const nodeId = nodeIdentity(store.dialect, config.dataDir);
  const router: ModelRouter = createModelRouter(modelRouterOptions(config), { providers: tuning.providers });
  // Files a sandbox writes under /mnt/session/outputs become the session's Files API objects (streamed).
  const onOutputs = outputsToFiles(files, events);
  const driver: SandboxDriver & { warm?: () => Promise<void> } =
    tuning.sandboxes ??
    createLazySandboxDriver(
      () =>
        createSandboxDriver(sandboxSettings(config), {
          onOutputs,
          // Portable workspaces: a session's files follow it to any node (docs/scale-out.md).
          snapshots: createWorkspaceSnapshots(config, store, (line) => process.stderr.write(`${line}\n`)),
        }),
      (config.sandboxDriver ?? 'bwrap') === 'bwrap'
        ? (sessionId) => removeSessionFiles(sandboxSettings(config), sessionId)
        : undefined,
    );
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  const observed = observedSandboxes(driver, telemetry, clock, deps.logger);
  const sandboxes = deps.environmentBuilds ? buildGuardedDriver(observed, deps.environmentBuilds) : observed;
  const log = createHarnessLog(events, nodeId);
  // Multi-agent: delegation starts worker threads inside the session's current wake.
  const directory = new ThreadDirectory(store, deps.ids, clock);
  const kicks = new ThreadKicks((sessionId) => harness.notify(sessionId));
  const kick = (sessionId: string, threadId: string) => kicks.kick(sessionId, threadId);
  // multiagent_20261001 (advisor, spawn_agent) first; a coordinator roster's tools behind it.
  const delegation = new MultiagentTools({
    log,
    directory,
    kick,
    router,
    clock,
    prices: resolvePrices(config.prices),
    coordinator: new DelegationTools({ log, directory, kick }),
  });
  // Workflow runs (docs/workflows.md): their tools beside delegation's, their runner on this node.
  const workflows = createWorkflows({
    config: config.workflows,
    store,
    ids: deps.ids,
    clock,
    log,
    events,
    sessions,
    directory,
    nodeId,
    leaseTtlMs: tuning.leaseTtlMs ?? settings.leaseTtlMs,
    prices: resolvePrices(config.prices),
    // Over the bus (it delivers here too): a run may be driven on another node than the session.
    kick: (sessionId, threadId) => {
      kick(sessionId, threadId);
      bus.signalSession(sessionId);
    },
    notify: (sessionId) => bus.signalSession(sessionId),
    interrupt: (sessionId) => bus.signalSession(sessionId, { type: 'interrupt', threadId: null }),
    limits: tuning.workflows,
    onError: (error, runId) => deps.onError(error, runId),
  });
  // One outbound client, one address policy (docs/security.md, "Outbound requests"); only the
  // hosts each use may reach although private differ.
  const outbound = (allowedPrivateHosts: readonly string[]) =>
    createOutboundFetch(outboundOptions(config, allowedPrivateHosts));
  const mcp = createLazyMcpRunner({
    credentials: createMcpCredentialSource(deps.vaults, deps.credentials),
    fetch: outbound(config.mcpAllowedPrivateHosts),
    tunnelFetch: createTunnelFetch(store, config),
    clock,
    appendEvents: (sessionId, drafts) => log.append(sessionId, drafts),
  });
  const harnessSessions = createHarnessSessions(
    sessions,
    events,
    nodeId,
    async (environmentId) =>
      // Self-hosted sessions leave sandbox built-ins to their worker (core/harness/tool-placement.ts).
      (await environments.getDocument(environmentId)).config.type,
    deps.skills,
  );
  const tools = new DefaultToolRunner({
    loadSession: (sessionId) => harnessSessions.load(sessionId),
    sandboxes,
    sandboxSpec: sessionSandboxSpec({
      store,
      environments,
      files,
      sessions,
      vaults: deps.vaults,
      secrets: deps.secrets,
      maxLimits: settings.maxLimits,
      memories: deps.memories,
      skills: deps.skills,
    }),
    webFetch: { fetch: outbound([]), maxBytes: 1024 * 1024, timeoutMs: 30_000 },
    webSearch: createWebSearchBackend(config.webSearch, outbound(searchBackendHost(config.webSearch))),
    delegates: { mcp, delegation: workflows.withDelegation(delegation) },
  });
  const harness = new Harness({
    log,
    sessions: harnessSessions,
    router,
    tools,
    clock,
    retry: { ...DEFAULT_RETRY_POLICY, ...tuning.retry },
    maxSteps: tuning.maxSteps ?? 200,
    contextWindowTokens: tuning.contextWindowTokens ?? settings.contextWindowTokens,
    prices: resolvePrices(config.prices),
    telemetry,
    outcomes: outcomeSettings(config, files),
    leases: store.leases,
    nodeId,
    leaseTtlMs: tuning.leaseTtlMs ?? settings.leaseTtlMs,
    onError: deps.onError,
    threads: { directory, kicks },
    // Ownership by liveness (docs/scale-out.md); a draining node's sessions are signalled anew.
    fleet: {
      repository: store.fleet,
      ...settings.fleet,
      resignal: (sessionId) => bus.signalSession(sessionId),
    },
    onTakeover: ({ sessionId, previousOwner, reason }) => {
      process.stderr.write(`paddock: took over ${sessionId} from node ${previousOwner} (${reason})\n`);
    },
  });
  // Workflow runs are driven where sessions are: their runner starts with this node's harness.
  const startHarness = harness.start.bind(harness);
  harness.start = async () => {
    await startHarness();
    await workflows.runner.start();
  };
  // A draining node's workspaces are snapshotted before it leaves, so the next node finds them.
  harness.onDrain(async () => {
    await sandboxes.snapshotAll?.();
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
    workflowRuns: workflows.runner,
    warmSandboxes: async () => driver.warm?.(),
    async prefillSandboxes() {
      const pool = config.sandboxPool;
      if (!sandboxes.expect || pool.size === 0 || pool.prefill === 0) return;
      const specs = await prefillSpecs({
        store,
        environment: (id) => environments.getDocument(id),
        maxLimits: settings.maxLimits,
        count: pool.prefill,
        now: clock.now(),
      });
      for (const spec of specs) sandboxes.expect(spec);
    },
    async reclaimLeftovers() {
      if (tuning.sandboxes || (config.sandboxDriver ?? 'bwrap') !== 'bwrap' || process.platform !== 'linux')
        return;
      await reclaimLeftovers(sandboxSettings(config), (message) => process.stderr.write(`${message}\n`));
    },
    async close() {
      unsubscribe();
      unsubscribeReconnect?.();
      await workflows.runner.stop();
      await harness.stop();
      await sandboxes.close();
      await mcp.close();
    },
  };
}
