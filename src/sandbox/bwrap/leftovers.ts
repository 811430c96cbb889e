import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { egressSocketDir, egressSocketName } from '../network/sandbox-egress.js';
import { POOL_ID_PREFIX } from '../pool/pool-key.js';
import type { SandboxSettings } from '../sandbox-settings.js';
import { POOLED_FROM } from './bwrap-pool.js';
import { type CgroupSupport, detectCgroups, SessionCgroup } from './cgroups.js';
import { reclaimDiskMounts, releaseDisk } from './disk-quota.js';
import { removeLayer, sessionLayer, sessionsDir } from './session-layer.js';

/** What a crashed server of this data dir left behind and a new one removed. */
export interface Reclaimed {
  diskMounts: string[];
  cgroups: string[];
  egressSockets: string[];
}

/**
 * A server killed with its sandboxes running (kill -9, OOM, power) leaves
 * host state the kernel does not clean up: the sessions' loop-mounted disks,
 * their (empty) cgroup directories and their egress proxy sockets. Sandbox
 * processes die with the server (--die-with-parent) and veth pairs with
 * their network namespaces; named build namespaces of dead servers are
 * dropped by build-network.ts. Everything here is recognised as this data
 * dir's own (its session directories), so servers sharing a host, a cgroup
 * or the socket directory never touch each other's. Warm pool members
 * (`pool-*` directories) are reclaimed like sessions and their files removed;
 * a session that took one is found by its member id too (bwrap-pool.ts).
 *
 * Runs once per data dir and process, before the first sandbox starts: a
 * second call gets the first's result.
 */
export function reclaimLeftovers(
  config: SandboxSettings,
  log: (message: string) => void,
  cgroups?: CgroupSupport,
): Promise<Reclaimed> {
  let done = runs.get(config.dataDir);
  if (!done) {
    done = reclaim(config, cgroups).then(
      (reclaimed) => {
        const total = reclaimed.diskMounts.length + reclaimed.cgroups.length + reclaimed.egressSockets.length;
        if (total > 0)
          log(
            `paddock: reclaimed what a crashed server left: ${reclaimed.diskMounts.length} disk mount(s), ` +
              `${reclaimed.cgroups.length} cgroup(s), ${reclaimed.egressSockets.length} egress socket(s)`,
          );
        return reclaimed;
      },
      (error: unknown) => {
        log(`paddock: WARNING: could not reclaim sandbox leftovers: ${(error as Error).message}`);
        return { diskMounts: [], cgroups: [], egressSockets: [] };
      },
    );
    runs.set(config.dataDir, done);
  }
  return done;
}

const runs = new Map<string, Promise<Reclaimed>>();

const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Deletes a session's sandbox files (its disk image, unmounted first) when this process has not
 * started a driver, e.g. a session deleted after a restart before any tool call: otherwise its
 * image, up to its whole quota, would stay on the data disk.
 */
export async function removeSessionFiles(config: SandboxSettings, sessionId: string): Promise<void> {
  if (!SESSION_ID.test(sessionId)) throw new Error(`invalid session id ${JSON.stringify(sessionId)}`);
  const layer = sessionLayer(config.dataDir, sessionId);
  await releaseDisk(layer.disk);
  await removeLayer(layer);
}

async function reclaim(config: SandboxSettings, cgroups: CgroupSupport | undefined): Promise<Reclaimed> {
  const dir = sessionsDir(config.dataDir);
  const sessions = new Set(await readdir(dir).catch(() => [] as string[]));
  // A pooled sandbox keeps its member id for its cgroup and egress socket (bwrap-pool.ts).
  const pooled = await pooledLayerIds(dir, sessions);
  const owners = new Set([...sessions, ...pooled]);
  const diskMounts = await reclaimDiskMounts(dir);
  const support = cgroups ?? (await detectCgroups());
  const reclaimedCgroups = await SessionCgroup.reclaim(support, (sessionId) => owners.has(sessionId));
  const socketDir = await egressSocketDir(config.sandbox.runtimeDir).catch(() => undefined);
  const egressSockets: string[] = [];
  if (socketDir) {
    const present = new Set(await readdir(socketDir).catch(() => [] as string[]));
    for (const sessionId of owners) {
      const file = `${egressSocketName(config.dataDir, sessionId)}.sock`;
      if (!present.has(file)) continue;
      await rm(join(socketDir, file), { force: true });
      egressSockets.push(file);
    }
  }
  // Members never handed to a session are nobody's files.
  for (const name of sessions)
    if (name.startsWith(POOL_ID_PREFIX)) await removeLayer(sessionLayer(config.dataDir, name));
  return { diskMounts, cgroups: reclaimedCgroups, egressSockets };
}

async function pooledLayerIds(dir: string, sessions: Set<string>): Promise<string[]> {
  const ids: string[] = [];
  for (const sessionId of sessions) {
    const id = (await readFile(join(dir, sessionId, POOLED_FROM), 'utf8').catch(() => '')).trim();
    if (id.startsWith(POOL_ID_PREFIX) && SESSION_ID.test(id)) ids.push(id);
  }
  return ids;
}
