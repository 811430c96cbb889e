import type { FastifyInstance } from 'fastify';
import type { EnvironmentBuilds } from '../core/environments/environment-builds.js';
import type { Store } from '../core/ports/store.js';
import type { HarnessNode } from './harness-node.js';
import { trackIdle } from './idle-memory.js';

/** What a node starts and stops, as createPaddock built it. */
export interface NodeParts {
  app: FastifyInstance;
  observability: { listen(): unknown; close(): unknown };
  environmentBuilds: EnvironmentBuilds;
  harness: HarnessNode;
  dreams: { runner: { start(): unknown; stop(): unknown } };
  webhooks: { dispatcher: { start(): unknown; close(): unknown } };
  deployments: { scheduler: { start(): unknown; stop(): unknown } };
  warm: { start(): unknown; settled(): unknown };
  bus: { close(): unknown };
  store: Store;
}

/**
 * A Paddock node's lifecycle (createPaddock's listen, startHarness and close): serving the API,
 * driving sessions and the background work that goes with them, and shutting all of it down.
 */
export function nodeLifecycle(
  parts: NodeParts,
  options: { port: number; host: string; runHarness: boolean; idleGcMs?: number },
): { listen(): Promise<string>; startHarness(): Promise<void>; close(): Promise<void> } {
  const { app, observability, environmentBuilds, harness, dreams, webhooks, deployments, warm } = parts;
  const idle = options.idleGcMs ? trackIdle(app, { idleMs: options.idleGcMs }) : undefined;
  let closed = false;
  const startHarness = async () => {
    // A node that drives sessions builds environments as they are written (an API-only node
    // leaves them to the first worker session that needs one).
    environmentBuilds.attach(harness.sandboxes);
    await harness.reclaimLeftovers();
    await harness.harness.start();
    await dreams.runner.start();
    webhooks.dispatcher.start();
    deployments.scheduler.start();
    warm.start();
    // A worker serves no requests: its one quiet-period collection counts from its start.
    idle?.activity();
  };
  return {
    async listen() {
      await app.listen({ port: options.port, host: options.host });
      await observability.listen();
      if (options.runHarness) await startHarness();
      // Start-up and the warm-up grow the heap as requests do: the first quiet spell counts from here.
      idle?.activity();
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
    startHarness,
    async close() {
      if (closed) return;
      closed = true;
      idle?.stop();
      await warm.settled();
      environmentBuilds.close();
      await dreams.runner.stop();
      await webhooks.dispatcher.close();
      await deployments.scheduler.stop();
      await harness.close();
      await app.close();
      await observability.close();
      await parts.bus.close();
      await parts.store.close();
    },
  };
}
