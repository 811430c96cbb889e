import type { PaddockConfig } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { DreamRunner } from '../core/dreams/dream-runner.js';
import { DreamService } from '../core/dreams/dream-service.js';
import { DEFAULT_RETRY_POLICY } from '../core/harness/retry-policy.js';
import type { IdGenerator } from '../core/ids.js';
import type { MemoryService } from '../core/memory/memory-service.js';
import type { MemoryStoreService } from '../core/memory/memory-store-service.js';
import { resolvePrices } from '../core/metering/prices.js';
import type { Store } from '../core/ports/store.js';
import type { EventLog } from '../core/sessions/event-log.js';
import type { WorkspaceSpend } from '../core/workspaces/workspace-spend.js';
import { createModelRouter } from '../providers/model-router.js';
import { harnessSettings, modelRouterOptions } from './adapter-options.js';
import type { HarnessTuning } from './harness-node.js';
import { nodeIdentity } from './node-identity.js';

export interface DreamsDeps {
  config: PaddockConfig;
  store: Store;
  ids: IdGenerator;
  clock: Clock;
  events: EventLog;
  memoryStores: MemoryStoreService;
  memories: MemoryService;
  workspaceSpend?: WorkspaceSpend | undefined;
  tuning?: HarnessTuning | undefined;
  onError: (error: unknown, dreamId: string) => void;
}

/** Part of the composition root: the dreams service (API) and the runner harness nodes start. */
export function createDreams(deps: DreamsDeps): { service: DreamService; runner: DreamRunner } {
  const { config, store, clock } = deps;
  const tuning = deps.tuning ?? {};
  const service = new DreamService(store, deps.ids, clock, deps.memoryStores);
  const runner = new DreamRunner({
    dreams: service,
    memoryStores: deps.memoryStores,
    memories: deps.memories,
    events: deps.events,
    // The same routes and providers as the harness's (tests inject the scripted one here too).
    router: createModelRouter(modelRouterOptions(config), { providers: tuning.providers }),
    retry: { ...DEFAULT_RETRY_POLICY, ...tuning.retry },
    prices: resolvePrices(config.prices),
    spendLimitReached:
      deps.workspaceSpend && ((workspaceId) => deps.workspaceSpend!.limitReached(workspaceId)),
    leases: store.leases,
    nodeId: nodeIdentity(store.dialect, config.dataDir),
    clock,
    leaseTtlMs: tuning.leaseTtlMs ?? harnessSettings(config).leaseTtlMs,
    onError: deps.onError,
  });
  service.signals = runner;
  return { service, runner };
}
