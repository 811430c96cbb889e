import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SandboxDriver, SandboxLimits, SandboxSpec } from '../../core/ports/sandbox.js';
import type { WorkspaceSnapshots } from '../../core/ports/workspace-snapshots.js';
import { lowDiskGuard } from '../../core/storage/low-disk-guard.js';
import {
  createManagedDriver,
  managedOptions,
  type RunningSandbox,
  type SandboxBackend,
  type StartHooks,
} from '../managed-driver.js';
import { openBuildNetwork } from '../network/build-network.js';
import { parseDnsUpstreams } from '../network/dns-relay.js';
import type { EgressNet } from '../network/egress-proxy.js';
import { parseSubnet } from '../network/nat-link.js';
import { type EgressOptions, sandboxEgress } from '../network/sandbox-egress.js';
import { SandboxNat } from '../network/sandbox-nat.js';
import type { OnOutputs } from '../outputs/output-collector.js';
import { effectiveLimits, type SandboxPool } from '../pool/sandbox-pool.js';
import { githubBaseCheck } from '../resources/git-base-address.js';
import { stageResources } from '../resources/stage-resources.js';
import type { SandboxSettings } from '../sandbox-settings.js';
import { type ConfineHelper, ensureConfineHelper } from '../seccomp/confine-helper.js';
import { type BwrapHost, probeBwrap } from './bwrap-host.js';
import { BwrapInstance } from './bwrap-instance.js';
import { buildLaunch } from './bwrap-launch.js';
import { withBwrapPool } from './bwrap-pool.js';
import { type CgroupSupport, detectCgroups, SessionCgroup } from './cgroups.js';
import { detectDiskQuota, SessionDisks } from './disk-quota.js';
import { reclaimLeftovers } from './leftovers.js';
import {
  collectLayersInBackground,
  type PackageLayerOptions,
  preparePackageLayer,
  sessionPackageLayer,
} from './package-layer.js';
import { ensureRootfs, type RootfsOptions, rootfsReady } from './rootfs.js';
import { prepareLayer, removeLayer, type SessionLayer, sessionLayer, sessionsDir } from './session-layer.js';

export interface BwrapDriverOptions {
  log?: (message: string) => void;
  /** Receives files the sandbox wrote under /mnt/session/outputs. */
  onOutputs?: OnOutputs | undefined;
  /** Test-only: how the egress proxy resolves and connects (never real addresses in tests). */
  egressNet?: EgressNet | undefined;
  /** Portable workspaces (src/sandbox/snapshots/). */
  snapshots?: WorkspaceSnapshots | undefined;
}

export function rootfsOptions(config: SandboxSettings, log: (message: string) => void): RootfsOptions {
  return {
    cacheDir: config.sandbox.rootfsDir ?? join(config.dataDir, 'rootfs'),
    mirror: config.sandbox.debianMirror,
    ownerUid: config.sandbox.hostUid,
    log,
  };
}

/**
 * The default driver on Linux: bubblewrap namespaces over a cached Debian
 * rootfs, a per-session writable layer and per-session cgroup limits. See
 * docs/decisions/0004-sandbox-bwrap.md for what each piece isolates.
 */
export async function createBwrapDriver(
  config: SandboxSettings,
  options: BwrapDriverOptions = {},
): Promise<SandboxDriver & { pool?: SandboxPool | undefined }> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const probed = probeBwrap();
  if ('missing' in probed) throw new Error(probed.missing);
  const host: BwrapHost = probed;
  const cgroups = await detectCgroups();
  if (!cgroups.available)
    log(
      `paddock: WARNING: cgroup limits unavailable (${cgroups.reason}); sandboxes run without memory/pids/cpu limits`,
    );
  // Before any sandbox of this process exists, so only a dead server's state is removed.
  await reclaimLeftovers(config, log, cgroups);
  const quota = detectDiskQuota();
  if (!quota.available)
    log(`paddock: WARNING: disk quotas unavailable (${quota.reason}); a sandbox can fill the host's disk`);
  const disks = new SessionDisks(log);
  const diskGuard = lowDiskGuard(config);
  const rootfs = rootfsOptions(config, log);
  collectLayersInBackground(rootfs.cacheDir, sessionsDir(config.dataDir), log);
  // Built on first use, like the rootfs; a host that cannot build it starts no sandbox at all.
  let confineBuild: Promise<ConfineHelper> | undefined;
  const confineHelper = () =>
    (confineBuild ??= ensureConfineHelper(rootfs.cacheDir).catch((error: unknown) => {
      confineBuild = undefined;
      throw error;
    }));
  const nat = config.sandbox.nat
    ? await SandboxNat.create({
        subnet: parseSubnet(config.sandbox.subnet),
        dnsUpstreams: parseDnsUpstreams(config.sandbox.dnsServers),
        allowPrivateNetworks: config.allowPrivateNetworks,
        log,
      })
    : undefined;
  // What every sandbox's egress (and every package build's) is made with; the spec adds the rest.
  const egressOptions: EgressOptions = {
    dataDir: config.dataDir,
    allowPrivateNetworks: config.allowPrivateNetworks,
    net: options.egressNet,
    nat,
    runtimeDir: config.sandbox.runtimeDir,
    extraCa: config.sandbox.egressExtraCa,
    bodyBudgetBytes: config.sandbox.egressBodyBudgetBytes,
    log,
  };
  const fresh: SandboxBackend = {
    name: 'bwrap',
    start: async (spec, hooks) => {
      // A (re)start writes to the data disk; a nearly full one is kept for the event log.
      await diskGuard.check('starting a sandbox');
      const base = await ensureRootfs(rootfs);
      const limits = effectiveLimits(config.sandbox, spec);
      const layer = sessionLayer(config.dataDir, spec.sessionId);
      // 0 (PADDOCK_SANDBOX_DISK_MB=0, no paddock.disk_mb): the operator turned quotas off.
      const diskBytes = limits.diskBytes ?? config.sandbox.limits.diskBytes;
      const release =
        quota.available && usesOverlay(host) && diskBytes > 0
          ? await disks.acquire(layer, diskBytes)
          : undefined;
      try {
        return withRelease(await startInstance(spec, hooks, base, limits, layer), release);
      } catch (error) {
        await release?.();
        throw error;
      }
    },
    removeFiles: async (sessionId) => {
      const layer = sessionLayer(config.dataDir, sessionId);
      await disks.forget(layer);
      await removeLayer(layer);
    },
  };
  async function startInstance(
    spec: SandboxSpec,
    hooks: StartHooks | undefined,
    base: string,
    limits: SandboxLimits,
    layer: SessionLayer,
  ): Promise<RunningSandbox> {
    const owner = host.root ? config.sandbox.hostUid : undefined;
    const confine = await confineHelper();
    await prepareLayer(layer, usesOverlay(host), owner);
    // Before anything runs in it: a session resumed from another node gets its files back here.
    await hooks?.prepared?.(usesOverlay(host) ? layer.upper : layer.workspace);
    const packages = await sessionPackageLayer(layer.dir, spec, layerOptions(spec, base, confine));
    const mounts = await stageResources(spec, {
      place: (sandboxPath) =>
        join(layer.mounts, createHash('sha256').update(sandboxPath).digest('hex').slice(0, 16)),
      owner,
      githubBaseUrl: config.sandbox.githubBaseUrl,
      githubBaseCheck: githubBaseCheck(config),
    });
    const lowers = packages ? [packages, base] : [base];
    const egress = await sandboxEgress(spec, { ...egressOptions, rootfsLayers: lowers });
    const cgroup = await createCgroup(cgroups, spec.sessionId, limits).catch(async (error: unknown) => {
      await egress?.close();
      throw error;
    });
    const launch = buildLaunch({
      host,
      lowers,
      layer,
      mounts,
      mountsDir: layer.mounts,
      cgroupProcs: cgroup?.procsFiles ?? [],
      hostUid: config.sandbox.hostUid,
      confine,
      env: egress?.env,
      readOnlyBinds: egress?.binds,
    });
    return BwrapInstance.start(launch, cgroup, egress, usesOverlay(host) ? layer.upper : undefined, hooks);
  }
  // Builds run under the environment's network policy and the server's default limits.
  function layerOptions(
    spec: Pick<SandboxSpec, 'environmentId' | 'network'>,
    base: string,
    confine: ConfineHelper,
  ): PackageLayerOptions {
    return {
      cacheDir: rootfs.cacheDir,
      base,
      host,
      hostUid: config.sandbox.hostUid,
      confine,
      cgroups,
      limits: config.sandbox.limits,
      buildTimeoutMs: config.sandbox.layerBuildTimeoutMs,
      sessionsDir: sessionsDir(config.dataDir),
      openNetwork: (layerName) => openBuildNetwork(spec, layerName, egressOptions),
      log,
      signal: closing.signal,
    };
  }
  // Builds still running when the driver closes (a stopping server) are killed, not waited for.
  const closing = new AbortController();
  const { backend, pool } = withBwrapPool(fresh, config, { overlay: usesOverlay(host), disks, log });
  const driver = createManagedDriver(
    backend,
    managedOptions(config, options.onOutputs, log, options.snapshots),
  );
  return {
    ...driver,
    pool,
    async prepareEnvironment(spec, prepare) {
      if (closing.signal.aborted) throw new Error('the sandbox driver is closed');
      // Ahead of sessions, the base (debootstrap, minutes) is not built: `paddock sandbox prepare`
      // or the first session does that; the environment stays pending until then.
      if (prepare?.ahead && !rootfsReady(rootfs))
        throw new Error('the sandbox rootfs is not built yet (`paddock sandbox prepare`)');
      await diskGuard.check('building an environment');
      const base = await ensureRootfs(rootfs);
      return preparePackageLayer(spec.packages, layerOptions(spec, base, await confineHelper()));
    },
    async close() {
      closing.abort();
      await driver.close();
      await nat?.close();
    },
  };
}

/** The instance, releasing the session's disk once it has stopped (everything else as it is). */
function withRelease(instance: RunningSandbox, release: (() => Promise<void>) | undefined): RunningSandbox {
  if (!release) return instance;
  const stop = instance.stop.bind(instance);
  return Object.assign(instance, {
    async stop() {
      try {
        await stop();
      } finally {
        await release();
      }
    },
  });
}

function usesOverlay(host: BwrapHost): boolean {
  return host.nativeOverlay || host.root;
}

async function createCgroup(
  support: CgroupSupport,
  sessionId: string,
  limits: SandboxLimits,
): Promise<SessionCgroup | undefined> {
  if (!support.available) return undefined;
  // A unique name: a previous instance's cgroup may still be draining.
  return SessionCgroup.create(support, `${sessionId}-${Date.now().toString(36)}`, limits);
}
