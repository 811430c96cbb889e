import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxPoolConfig } from '../../config/sandbox-pool.js';
import type { SandboxBackend } from '../managed-driver.js';
import { pooledBackend } from '../pool/pooled-backend.js';
import { effectiveLimits, SandboxPool } from '../pool/sandbox-pool.js';
import type { SandboxSettings } from '../sandbox-settings.js';
import { BwrapInstance } from './bwrap-instance.js';
import type { SessionDisks } from './disk-quota.js';
import { sessionLayer } from './session-layer.js';

/**
 * Written in a session's directory when a pooled sandbox became the session's: the member id its
 * cgroup and egress socket are still named by, so leftovers.ts finds them after a crash.
 */
export const POOLED_FROM = 'pooled-from';

/**
 * The bwrap backend behind a warm pool (decision 0026), or as it is when the pool is off
 * (size 0) or cannot work here (no overlay root: the session's files are bound at launch).
 */
export function withBwrapPool(
  backend: SandboxBackend,
  config: SandboxSettings,
  options: { overlay: boolean; disks: SessionDisks; log: (message: string) => void },
): { backend: SandboxBackend; pool: SandboxPool | undefined } {
  const settings: SandboxPoolConfig | undefined = config.sandboxPool;
  if (!settings || settings.size === 0 || !options.overlay) return { backend, pool: undefined };
  const discard = async (id: string, running: { stop(): Promise<void> } | undefined) => {
    await running?.stop();
    await backend.removeFiles(id);
  };
  const pool = new SandboxPool(
    settings,
    {
      start: (spec) => backend.start(spec),
      memory: async (running) => (running instanceof BwrapInstance ? running.memoryBytes() : undefined),
      discard,
    },
    options.log,
  );
  const pooled = pooledBackend(backend, {
    pool,
    limits: (spec) => effectiveLimits(config.sandbox, spec),
    log: options.log,
    adoption: {
      sessionDir: (sessionId) => sessionLayer(config.dataDir, sessionId).dir,
      stagedDirs: (sessionId) => {
        const layer = sessionLayer(config.dataDir, sessionId);
        return [layer.upper, layer.disk, layer.dir];
      },
      async adopt(member, sessionId) {
        const from = sessionLayer(config.dataDir, member.id);
        const to = sessionLayer(config.dataDir, sessionId);
        // Before the move, so a crash at any point leaves the member's cgroup and socket findable.
        // Synchronous, like the hand-over's other metadata calls (pooled-backend.ts).
        writeFileSync(join(from.dir, POOLED_FROM), member.id);
        await options.disks.move(from, to);
        if (member.running instanceof BwrapInstance) member.running.moveUpper(to.upper);
      },
    },
  });
  return { backend: pooled, pool };
}
