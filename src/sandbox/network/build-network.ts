import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import type { SandboxSpec } from '../../core/ports/sandbox.js';
import { run } from '../host-command.js';
import { processAlive } from '../process-alive.js';
import { type EgressOptions, sandboxEgress } from './sandbox-egress.js';

/** Egress for a package-layer build: what to prefix its command with, and what to give it. */
export interface BuildNetwork {
  /** Runs the build's bwrap (with `--share-net`) inside the prepared namespace. */
  enter: string[];
  env: Record<string, string>;
  binds: Array<[string, string]>;
  close(): Promise<void>;
}

const PREFIX = 'paddock-build-';

/**
 * A package-layer build downloads under its environment's network policy,
 * like the sessions that will use the layer: a named network namespace is
 * made first (bwrap 0.8 cannot be handed one), given the same proxy relay and,
 * for `unrestricted`, the same NAT link as a session sandbox, and bwrap joins
 * it. Undefined when the server is not root (the caller then shares the host
 * network, the only way a non-root build can download).
 */
export async function openBuildNetwork(
  spec: Pick<SandboxSpec, 'environmentId' | 'network'>,
  layerName: string,
  options: EgressOptions,
): Promise<BuildNetwork | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  await removeOrphanedNamespaces();
  const name = `${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
  await run('ip', ['netns', 'add', name]);
  const remove = () => run('ip', ['netns', 'del', name]).then(() => undefined);
  try {
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    const egress = await sandboxEgress(
      { sessionId: `layer-${layerName}`, environmentId: spec.environmentId, network: spec.network },
      options,
    );
    if (!egress) throw new Error('no egress for the build');
    try {
      await egress.attach({ name });
    } catch (error) {
      await egress.close();
      throw error;
    }
    return {
      enter: ['nsenter', `--net=/run/netns/${name}`, '--'],
      env: egress.env,
      binds: egress.binds,
      async close() {
        await egress.close();
        await remove().catch(() => {});
      },
    };
  } catch (error) {
    await remove().catch(() => {});
    throw error;
  }
}

/** A named namespace outlives a crashed server (its bind mount holds it): drop those of dead servers. */
async function removeOrphanedNamespaces(): Promise<void> {
  const names = await readdir('/run/netns').catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(/^paddock-build-(\d+)-/.exec(name)?.[1]);
    if (!pid || processAlive(pid)) continue;
    await run('ip', ['netns', 'del', name]).catch(() => {});
  }
}
