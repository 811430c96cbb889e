import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import type { AppContext } from '../api/context.js';
import { createEventBus } from '../bus/create-event-bus.js';
import type { PaddockConfig } from '../config/config.js';
import { AgentService } from '../core/agents/agent-service.js';
import { ApiKeyService } from '../core/api-keys.js';
import { type Clock, systemClock } from '../core/clock.js';
import { CredentialResolver } from '../core/credentials.js';
import type { DeploymentScheduler } from '../core/deployments/deployment-scheduler.js';
import { EnvironmentBuilds } from '../core/environments/environment-builds.js';
import { EnvironmentService } from '../core/environments/environment-service.js';
import { FileService } from '../core/files/file-service.js';
import { IdempotencyService } from '../core/idempotency/idempotency-service.js';
import { createIdGenerator, type IdGenerator } from '../core/ids.js';
import { MemoryService } from '../core/memory/memory-service.js';
import { MemoryStoreService } from '../core/memory/memory-store-service.js';
import { MemoryVersionService } from '../core/memory/memory-version-service.js';
import { MeteringService } from '../core/metering/metering-service.js';
import { resolvePrices } from '../core/metering/prices.js';
import type { SessionRunner } from '../core/ports/session-runner.js';
import type { Store } from '../core/ports/store.js';
import { archiveThread } from '../core/sessions/archive-thread.js';
import { EventLog } from '../core/sessions/event-log.js';
import { SessionCommands } from '../core/sessions/session-commands.js';
import { SessionEventService } from '../core/sessions/session-event-service.js';
import { SessionResourceService } from '../core/sessions/session-resource-service.js';
import { SessionService } from '../core/sessions/session-service.js';
import { CredentialService } from '../core/vaults/credential-service.js';
import { SecretBox } from '../core/vaults/secret-box.js';
import { checkSecretKey, loadSecretKey } from '../core/vaults/secret-key.js';
import { VaultService } from '../core/vaults/vault-service.js';
import { EnvironmentKeyService } from '../core/work/environment-keys.js';
import { WorkQueue } from '../core/work/work-queue.js';
import { AuditLog } from '../core/workspaces/audit-log.js';
import { RequestRate } from '../core/workspaces/request-rate.js';
import { RunningSessions } from '../core/workspaces/running-sessions.js';
import { outsideWorkspaceScope } from '../core/workspaces/workspace-scope.js';
import { WorkspaceService } from '../core/workspaces/workspace-service.js';
import { WorkspaceSpend } from '../core/workspaces/workspace-spend.js';
import { createFileBlobStore } from '../file-blobs/create-file-blob-store.js';
import { createLogger, requestLogger } from '../observability/logger.js';
import type { SpanExporter } from '../observability/open-tracer.js';
import { createStore } from '../store/create-store.js';
import { busDatabaseUrl, fileBlobOptions, storeOptions } from './adapter-options.js';
import { createDeployments } from './deployments.js';
import { createDreams } from './dreams.js';
import { buildBaseId } from './environment-build-base.js';
import { createHarnessNode, type HarnessNode, type HarnessTuning } from './harness-node.js';
import { nodeIdentity } from './node-identity.js';
import { nodeLifecycle } from './node-lifecycle.js';
import { createNodeObservability } from './observability.js';
import { createSkills } from './skills.js';
import { createTunnelsAndUserProfiles } from './tunnels-user-profiles.js';
import { createNodeWarmUp } from './warm-up.js';
import { createPublishingStore, createWebhookNode } from './webhooks.js';

export interface PaddockOptions {
  config: PaddockConfig;
  /** Injected for tests; otherwise opened from config. */
  store?: Store;
  clock?: Clock;
  ids?: IdGenerator;
  /** Log every HTTP request (debug/trace); otherwise only failures (JSON lines on stderr either way). */
  logger?: boolean;
  /** Tests read spans from an in-memory exporter; otherwise OTLP when configured (docs/operations.md). */
  spanExporter?: SpanExporter | undefined;
  /** Harness knobs for tests and benchmarks (retry timing, lease TTL, injected providers/sandboxes). */
  harness?: HarnessTuning;
  /** Set false to serve the API without driving sessions (e.g. a pure API node). */
  runHarness?: boolean;
  /** Once driving sessions, warm in the background what a first turn loads (compose/warm-up.ts); the CLI sets it. */
  warmUp?: boolean;
}

export interface Paddock {
  app: FastifyInstance;
  context: AppContext;
  store: Store;
  harness: HarnessNode;
  /** This node's deployment scheduler; tests run its passes (`tick`) after advancing the clock. */
  deploymentScheduler: DeploymentScheduler;
  /** Starts listening (and driving sessions, unless disabled); resolves to the base URL. */
  listen(): Promise<string>;
  /** Drives sessions without serving the API: a `paddock worker` node. */
  startHarness(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The composition root (with harness-node.ts): the one place adapters are
 * chosen, each built from its own options (adapter-options.ts), and wired to
 * the core. `paddock serve`, `paddock worker` and the tests all start here.
 */
export async function createPaddock(options: PaddockOptions): Promise<Paddock> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIdGenerator();
  // Every service writes through this store: its changes queue webhook events in the same transaction.
  const publishing = createPublishingStore(options.store ?? (await createStore(storeOptions(config))), {
    ids,
    clock,
  });
  const store = publishing.store;
  const secretKey = loadSecretKey(config);
  await checkSecretKey(store.meta, secretKey);
  const secretBox = new SecretBox(secretKey);
  const credentials = new CredentialService(store, ids, clock, secretBox);
  // One blob store for Files API bytes and skill versions (both served and mounted on every node).
  const fileBlobs = createFileBlobStore(fileBlobOptions(config), store);
  const skills = createSkills(config, { store, blobs: fileBlobs, ids, clock });
  const agents = new AgentService(store, ids, clock, skills.references);
  const bus = await createEventBus(store, busDatabaseUrl(config));
  const logger = createLogger({
    level: config.logLevel,
    nodeId: nodeIdentity(store.dialect, config.dataDir),
  });
  const webhooks = createWebhookNode(config, publishing, {
    ids,
    clock,
    secretBox,
    nodeId: nodeIdentity(store.dialect, config.dataDir),
    onError: (error) => logger.error({ err: error }, 'webhook delivery error'),
  });
  const observability = await createNodeObservability(config, store, options.spanExporter);
  const events = new EventLog(store, bus, ids, clock);
  const environmentBuilds = new EnvironmentBuilds({
    store,
    clock,
    baseId: buildBaseId(config),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const environments = new EnvironmentService(store, ids, clock, config.sandbox.maxLimits, environmentBuilds);
  const files = new FileService(store, fileBlobs, ids, clock, config);
  const metering = new MeteringService({ store, log: events, clock, prices: resolvePrices(config.prices) });
  const audit = new AuditLog(store, ids, clock);
  const workspaces = new WorkspaceService(store, ids, clock, audit);
  const tunnelsAndProfiles = createTunnelsAndUserProfiles({
    store,
    ids,
    clock,
    secretBox,
    audit,
    tunnelDomain: config.tunnels.domain,
  });
  const workspaceSpend = new WorkspaceSpend({
    limits: (workspaceId) => workspaces.limits(workspaceId),
    report: (query) => metering.usageReport(query),
    clock,
    // Dreams' model requests count toward the monthly spend too (docs/dreams.md).
    otherSpend: (workspaceId, startingAt) => dreams.service.listCostSince(workspaceId, startingAt),
  });
  const sessions = new SessionService({
    store,
    ids,
    clock,
    agents,
    log: events,
    sealer: secretBox,
    budgets: metering,
    workspaceSpend,
    skills: skills.references,
  });
  const vaults = new VaultService(store, ids, clock, credentials);
  const memoryStores = new MemoryStoreService(store, ids, clock);
  const memories = new MemoryService(store, ids, clock, memoryStores);
  const dreams = createDreams({
    config,
    store,
    ids,
    clock,
    events,
    memoryStores,
    memories,
    workspaceSpend,
    tuning: options.harness,
    onError: (error, dreamId) => logger.error({ err: error, dream_id: dreamId }, 'dream error'),
  });
  const harness = createHarnessNode({
    config,
    store,
    bus,
    clock,
    events,
    sessions,
    environments,
    environmentBuilds,
    files,
    vaults,
    credentials,
    secrets: secretBox,
    memories,
    skills: skills.references,
    ids,
    tuning: options.harness,
    onError: (error, sessionId) => logger.error({ err: error, session_id: sessionId }, 'harness error'),
    telemetry: observability.telemetry,
    logger,
  });
  const deployments = createDeployments(config, {
    store,
    ids,
    clock,
    agents,
    secretBox,
    sessions,
    sessionCommands: () => context.sessionCommands,
    metering,
    webhooks: publishing.outbox,
    onError: (error, deploymentId) =>
      logger.error({ err: error, deployment_id: deploymentId }, 'deployment scheduler error'),
  });
  const apiKeys = new ApiKeyService(store, ids, clock, config.adminKey);
  const work = new WorkQueue(store, ids, clock);
  const environmentKeys = new EnvironmentKeyService(store, ids, clock);
  const sessionEvents = new SessionEventService(store, events, ids);
  // Signals go through context.runner at call time, so an embedder (or a test) may replace it.
  // The harness leaves the caller's workspace scope: it acts for the session, on every tenant.
  const runner: SessionRunner = {
    notify: (sessionId) => outsideWorkspaceScope(() => context.runner.notify(sessionId)),
    interrupt: (sessionId, threadId) =>
      outsideWorkspaceScope(() => context.runner.interrupt(sessionId, threadId)),
  };
  const context: AppContext = {
    deployments: deployments.service,
    deploymentRunner: deployments.runner,
    deploymentRuns: store.deploymentRuns,
    sessionResources: new SessionResourceService({ store, log: events, ids, clock, sealer: secretBox }),
    threads: {
      archive: (sessionId, threadId) => archiveThread({ store, log: events, clock }, sessionId, threadId),
    },
    apiKeys,
    auth: new CredentialResolver(apiKeys, environmentKeys, work, async (environmentId) => {
      const environment = await store.resources.get('environment', environmentId);
      return environment?.workspaceId;
    }),
    work,
    environmentKeys,
    agents,
    environments,
    environmentBuilds,
    vaults,
    credentials,
    files,
    memoryStores,
    memories,
    memoryVersions: new MemoryVersionService(store, clock, memoryStores),
    webhooks: webhooks.service,
    skills: skills.service,
    dreams: dreams.service,
    tunnels: tunnelsAndProfiles.tunnels,
    userProfiles: tunnelsAndProfiles.userProfiles,
    sessions,
    sessionCommands: new SessionCommands({
      sessions,
      sessionEvents,
      runner,
      work,
      budgets: metering,
      admission: new RunningSessions(store, (workspaceId) => workspaces.limits(workspaceId)),
    }),
    sessionEvents,
    events,
    runner: harness.runner,
    metering,
    workspaces,
    requestRate: new RequestRate((workspaceId) => workspaces.limits(workspaceId), clock),
    audit,
    idempotency: new IdempotencyService(store.idempotency, clock),
  };
  const app = buildApp(context, {
    logger: options.logger ? logger : requestLogger(logger),
    observability: {
      metrics: observability.metrics,
      onRequest: (request) => observability.metrics.observeRequest(request),
    },
    sseHeartbeatMs: config.sseHeartbeatMs,
    sseMaxBufferBytes: config.sseMaxBufferBytes,
    console: config.console,
  });
  // In the background once the node drives sessions: the first turn then loads nothing (issue #21).
  const warm = createNodeWarmUp({
    enabled: options.warmUp === true,
    store,
    harness,
    anthropicInjected: options.harness?.providers?.anthropic !== undefined,
    logger,
  });
  return {
    app,
    context,
    store,
    harness,
    deploymentScheduler: deployments.scheduler,
    ...nodeLifecycle(
      { app, observability, environmentBuilds, harness, dreams, webhooks, deployments, warm, bus, store },
      {
        port: config.port,
        host: config.host,
        runHarness: options.runHarness ?? config.harness,
        // Long-running nodes only (serve, worker: the warm-up's callers); embedders and tests keep V8's pace.
        idleGcMs: options.warmUp === true ? config.idleGcMs : 0,
      },
    ),
  };
}
