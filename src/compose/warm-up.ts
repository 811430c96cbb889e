import type { Store } from '../core/ports/store.js';
import type { Logger } from '../observability/logger.js';
import type { HarnessNode } from './harness-node.js';

/** What a node warms after it listens (issue #21: the first turn must not pay for loading). */
export interface WarmUpParts {
  store: Store;
  /** Creates the sandbox driver (checks bwrap and the rootfs, detects cgroups, sets up NAT). */
  sandboxes?: (() => Promise<void>) | undefined;
  /** Once the driver is made: starts the sandboxes the first sessions will likely need (the pool's). */
  prefill?: (() => Promise<void>) | undefined;
  /** Modules the first turn imports lazily (the default provider and its vendor SDK). */
  modules: ReadonlyArray<() => Promise<unknown>>;
  /** Reports a part that failed; the first session hits (and reports) the same failure itself. */
  onError: (error: unknown, part: string) => void;
}

/** An id no session or event ever has (ids are generated with a type prefix and random tail). */
const NO_SUCH_ID = 'warmup_0000000000000000000000';

/**
 * Runs in the background once the server listens, so readiness is not delayed: a
 * timer turn first lets the loop answer the requests already waiting (`/health`),
 * then the parts, side by side. Everything here is read-only or idempotent: it makes no
 * session and no event. Reads of an id that does not exist prepare the statements (SQLite's
 * statement cache) and compile the query paths a turn runs first. The only sandboxes it starts
 * are the pool's (prefill): members no session is in, ended by the driver's close.
 */
export async function warmUp(parts: WarmUpParts): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  const run = async (part: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      parts.onError(error, part);
    }
  };
  // Concurrently: the driver (the slowest part) mostly waits on child processes it starts.
  await Promise.all([
    (async () => {
      if (parts.sandboxes) await run('sandbox driver', parts.sandboxes);
      if (parts.prefill) await run('sandbox pool prefill', parts.prefill);
    })(),
    run('database', async () => {
      await parts.store.resources.get('session', NO_SUCH_ID);
      await parts.store.events.list({ sessionId: NO_SUCH_ID, order: 'asc', limit: 100 });
      await parts.store.events.list({ sessionId: NO_SUCH_ID, order: 'asc', limit: 100, afterSeq: 0 });
      await parts.store.leases.holder(NO_SUCH_ID);
    }),
    ...parts.modules.map((load) => run('modules', load)),
  ]);
}

/** A node's warm-up, started once its harness runs; `close` waits for it so nothing is left running. */
export function createNodeWarmUp(deps: {
  enabled: boolean;
  store: Store;
  harness: Pick<HarnessNode, 'warmSandboxes' | 'prefillSandboxes'>;
  /** Tests inject their own anthropic provider: its module is not loaded then. */
  anthropicInjected: boolean;
  logger: Logger;
}): { start(): void; settled(): Promise<void> } {
  let warming: Promise<void> | undefined;
  return {
    start() {
      if (!deps.enabled) return;
      warming ??= warmUp({
        store: deps.store,
        sandboxes: () => deps.harness.warmSandboxes(),
        prefill: () => deps.harness.prefillSandboxes(),
        modules: deps.anthropicInjected ? [] : [() => import('../providers/anthropic/anthropic-provider.js')],
        onError: (error, part) =>
          deps.logger.warn({ err: error, part }, 'warm-up: not ready yet (tried again at first use)'),
      });
    },
    settled: async () => warming,
  };
}
