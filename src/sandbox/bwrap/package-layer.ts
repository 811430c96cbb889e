import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SandboxLimits, SandboxSpec } from '../../core/ports/sandbox.js';
import type { BuildNetwork } from '../network/build-network.js';
import type { ConfineHelper } from '../seccomp/confine-helper.js';
import type { BwrapHost } from './bwrap-host.js';
import { buildLaunch } from './bwrap-launch.js';
import { type CgroupSupport, SessionCgroup } from './cgroups.js';
import { collectLayers, LAYER_MAX_AGE_MS, recordNewestLayer, touchLayer } from './layer-gc.js';
import { withLayerLock } from './layer-lock.js';
import { runLogged } from './logged-run.js';
import {
  BUILD_SCRIPT,
  buildArgs,
  layerHash,
  normalizePackages,
  type PackageLists,
} from './package-script.js';

export interface PackageLayerOptions {
  /** The rootfs cache; layers go to `<cacheDir>/layers/<hash>/`. */
  cacheDir: string;
  base: string;
  host: BwrapHost;
  hostUid: number;
  /** The seccomp filter builds run under, like sessions. */
  confine: ConfineHelper;
  /** Builds run under the server's default sandbox limits, in their own cgroup. */
  cgroups: CgroupSupport;
  limits: SandboxLimits;
  /** PADDOCK_LAYER_BUILD_TIMEOUT_MS: past it the build is killed and fails. */
  buildTimeoutMs: number;
  /** This server's session directories: layer GC keeps every layer one of them records. */
  sessionsDir: string;
  /**
   * The build's egress under its environment's network policy (build-network.ts);
   * undefined, or resolving to undefined (a non-root server), shares the host network.
   */
  openNetwork?: ((layerName: string) => Promise<BuildNetwork | undefined>) | undefined;
  log: (message: string) => void;
  /** The driver is closing: a running build is killed, and counts as neither built nor failed. */
  signal?: AbortSignal | undefined;
}

const READY = 'ready';
// The build trusts what the host trusts (e.g. a TLS-inspecting corporate CA on the way to the registries).
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const BUILD_ENV: Record<string, string> = {
  DEBIAN_FRONTEND: 'noninteractive',
  NODE_EXTRA_CA_CERTS: CA_BUNDLE,
  SSL_CERT_FILE: CA_BUNDLE,
  PIP_CERT: CA_BUNDLE,
  CARGO_HTTP_CAINFO: CA_BUNDLE,
};

/**
 * The package layer a session runs on, chosen at its first start and
 * remembered in its directory: a changed environment config builds a new
 * layer that only new sessions see. Undefined when there are no packages.
 */
export async function sessionPackageLayer(
  sessionDir: string,
  spec: Pick<SandboxSpec, 'environmentId' | 'packages'>,
  options: PackageLayerOptions,
): Promise<string | undefined> {
  const record = join(sessionDir, 'package-layer');
  const chosen = await readFile(record, 'utf8').catch(() => undefined);
  if (chosen === 'none') return undefined;
  if (chosen) {
    const dir = join(options.cacheDir, 'layers', chosen);
    // Touched before the check: layer GC re-reads `used` before it removes anything.
    await touchLayer(dir).catch(() => {});
    if (existsSync(join(dir, READY))) return join(dir, 'root');
  }
  const normalized = normalizePackages(spec.packages);
  await mkdir(sessionDir, { recursive: true });
  if (!normalized) {
    await writeFile(record, 'none');
    return undefined;
  }
  const hash = layerHash(options.base, normalized);
  // Recorded before the build, so GC never takes a layer a starting session is about to use.
  await writeFile(record, hash);
  await recordNewestLayer(options.cacheDir, spec.environmentId, hash);
  return ensurePackageLayer(normalized, options);
}

/**
 * Returns `<cacheDir>/layers/<hash>/root`, building it once: the packages are
 * installed by their own managers inside a bwrap sandbox (with network) whose
 * root is an overlay of the base; the overlay's upper directory becomes the
 * layer. Builds of one hash are serialized across processes by a lock file.
 */
export async function ensurePackageLayer(
  packages: PackageLists,
  options: PackageLayerOptions,
): Promise<string> {
  const dir = join(options.cacheDir, 'layers', layerHash(options.base, packages));
  const root = join(dir, 'root');
  await touchLayer(dir).catch(() => {});
  if (existsSync(join(dir, READY))) return root;
  await mkdir(dir, { recursive: true, mode: 0o755 });
  let built = false;
  await withLayerLock(join(dir, 'lock'), async () => {
    if (existsSync(join(dir, READY))) return; // built by whoever held the lock before us
    await build(packages, dir, options);
    built = true;
  });
  await touchLayer(dir).catch(() => {});
  // A new layer often replaces an environment's older one.
  if (built) collectLayersInBackground(options.cacheDir, options.sessionsDir, options.log);
  return root;
}

/**
 * An environment's build ahead of its sessions (SandboxDriver.prepareEnvironment): the layer is
 * built (or found) like a session's, and the outcome carries the build log's last lines, never
 * a host path.
 */
export async function preparePackageLayer(
  packages: SandboxSpec['packages'],
  options: PackageLayerOptions,
): Promise<{ ok: boolean; log: string }> {
  let normalized: NonNullable<SandboxSpec['packages']> | undefined;
  try {
    normalized = normalizePackages(packages);
  } catch (error) {
    return { ok: false, log: (error as Error).message };
  }
  if (!normalized) return { ok: true, log: '' };
  const logPath = join(options.cacheDir, 'layers', layerHash(options.base, normalized), 'build.log');
  try {
    await ensurePackageLayer(normalized, options);
    return { ok: true, log: await logTail(logPath) };
  } catch (error) {
    // The build's own failure: the log says why. Anything else (no disk, no lock) is the server's.
    if (!/^package layer build failed/.test((error as Error).message)) throw error;
    return { ok: false, log: await logTail(logPath) };
  }
}

async function logTail(path: string): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-40).join('\n');
}

/** Layer GC (layer-gc.ts) at driver start and after builds; never in a session's way. */
export function collectLayersInBackground(
  cacheDir: string,
  sessionsDir: string,
  log: (message: string) => void,
): void {
  collectLayers({ cacheDir, sessionsDir, maxAgeMs: LAYER_MAX_AGE_MS })
    .then((removed) => {
      if (removed.length > 0) log(`paddock: removed unused package layers ${removed.join(', ')}`);
    })
    .catch((error: unknown) => log(`paddock: package layer cleanup failed: ${(error as Error).message}`));
}

async function build(packages: PackageLists, dir: string, options: PackageLayerOptions): Promise<void> {
  const upper = join(dir, 'root.building');
  const work = join(dir, 'work');
  const logPath = join(dir, 'build.log');
  for (const path of [upper, work, join(dir, 'root')]) await rm(path, { recursive: true, force: true });
  await mkdir(upper, { mode: 0o755 });
  await mkdir(work, { mode: 0o700 });
  if (options.host.root) await chown(upper, options.hostUid, options.hostUid);
  const summary = buildArgs(packages).join(' ');
  options.log(`paddock: building package layer ${dir} (${summary}; log ${logPath})`);
  const started = Date.now();
  const cgroup = options.cgroups.available
    ? await SessionCgroup.create(
        options.cgroups,
        `layer-${basename(dir)}-${Date.now().toString(36)}`,
        options.limits,
      )
    : undefined;
  let code: number | string;
  let network: BuildNetwork | undefined;
  try {
    network = await options.openNetwork?.(basename(dir));
    const launch = buildLaunch({
      host: options.host,
      lowers: [options.base],
      layer: { upper, work, workspace: upper, home: upper },
      mounts: [],
      mountsDir: undefined,
      cgroupProcs: cgroup?.procsFiles ?? [],
      hostUid: options.hostUid,
      confine: options.confine,
      network: 'host',
      command: [
        '/bin/bash',
        '--norc',
        '--noprofile',
        '-c',
        BUILD_SCRIPT,
        'paddock-build',
        ...buildArgs(packages),
      ],
      readOnlyBinds: [
        ...(network ? network.binds : [['/etc/resolv.conf', '/etc/resolv.conf'] as [string, string]]),
        ...(existsSync(CA_BUNDLE) ? [[CA_BUNDLE, CA_BUNDLE] as [string, string]] : []),
      ],
      env: { ...BUILD_ENV, ...network?.env },
    });
    const argv = network ? [...network.enter, ...launch.argv] : launch.argv;
    code = await runLogged(argv, launch.env, logPath, options.buildTimeoutMs, options.signal);
  } catch (error) {
    code = `could not start: ${(error as Error).message}`;
  } finally {
    await network?.close();
    // Also ends anything the package scripts left running (daemons started by postinst).
    await cgroup?.destroy();
  }
  if (typeof code === 'string' && code.startsWith('timed out')) code += ' (PADDOCK_LAYER_BUILD_TIMEOUT_MS)';
  await rm(work, { recursive: true, force: true });
  if (code === 'cancelled') {
    await rm(upper, { recursive: true, force: true });
    throw new Error('package layer build cancelled: the sandbox driver is closing');
  }
  if (code !== 0) {
    await rm(upper, { recursive: true, force: true });
    const tail = (await readFile(logPath, 'utf8').catch(() => ''))
      .trimEnd()
      .split('\n')
      .slice(-20)
      .join('\n');
    // No host path in the message: it reaches the model and the session. The log stays in build.log.
    throw new Error(`package layer build failed (${summary}): ${code}; the build log ends with:\n${tail}`);
  }
  await rename(upper, join(dir, 'root'));
  await writeFile(join(dir, READY), `${new Date().toISOString()}\n`);
  options.log(`paddock: package layer ready in ${Math.round((Date.now() - started) / 1000)} s`);
}
