import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chown, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxSpec } from '../../core/ports/sandbox.js';
import { killGroup } from '../tools/inside.js';
import type { BwrapHost } from './bwrap-host.js';
import { buildLaunch } from './bwrap-launch.js';
import { withLayerLock } from './layer-lock.js';
import { BUILD_SCRIPT, buildArgs, layerHash, normalizePackages, type Packages } from './package-script.js';

export interface PackageLayerOptions {
  /** The rootfs cache; layers go to `<cacheDir>/layers/<hash>/`. */
  cacheDir: string;
  base: string;
  host: BwrapHost;
  hostUid: number;
  log: (message: string) => void;
}

const READY = 'ready';
const BUILD_TIMEOUT_MS = 30 * 60_000;
// The build shares the host network, so it resolves and trusts (e.g. a TLS-inspecting egress CA) as the host does.
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
  packages: SandboxSpec['packages'],
  options: PackageLayerOptions,
): Promise<string | undefined> {
  const record = join(sessionDir, 'package-layer');
  const chosen = await readFile(record, 'utf8').catch(() => undefined);
  if (chosen === 'none') return undefined;
  if (chosen && existsSync(join(options.cacheDir, 'layers', chosen, READY)))
    return join(options.cacheDir, 'layers', chosen, 'root');
  const normalized = normalizePackages(packages);
  const layer = normalized ? await ensurePackageLayer(normalized, options) : undefined;
  await mkdir(sessionDir, { recursive: true });
  await writeFile(record, layer ? layerHash(options.base, normalized!) : 'none');
  return layer;
}

/**
 * Returns `<cacheDir>/layers/<hash>/root`, building it once: the packages are
 * installed by their own managers inside a bwrap sandbox (with network) whose
 * root is an overlay of the base; the overlay's upper directory becomes the
 * layer. Builds of one hash are serialized across processes by a lock file.
 */
export async function ensurePackageLayer(packages: Packages, options: PackageLayerOptions): Promise<string> {
  const dir = join(options.cacheDir, 'layers', layerHash(options.base, packages));
  const root = join(dir, 'root');
  if (existsSync(join(dir, READY))) return root;
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await withLayerLock(join(dir, 'lock'), async () => {
    if (existsSync(join(dir, READY))) return; // built by whoever held the lock before us
    await build(packages, dir, options);
  });
  return root;
}

async function build(packages: Packages, dir: string, options: PackageLayerOptions): Promise<void> {
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
  const launch = buildLaunch({
    host: options.host,
    lowers: [options.base],
    layer: { upper, work, workspace: upper, home: upper },
    mounts: [],
    mountsDir: undefined,
    cgroupProcs: [],
    hostUid: options.hostUid,
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
      ['/etc/resolv.conf', '/etc/resolv.conf'],
      ...(existsSync(CA_BUNDLE) ? [[CA_BUNDLE, CA_BUNDLE] as [string, string]] : []),
    ],
    env: BUILD_ENV,
  });
  const code = await runLogged(launch.argv, launch.env, logPath);
  await rm(work, { recursive: true, force: true });
  if (code !== 0) {
    await rm(upper, { recursive: true, force: true });
    const tail = (await readFile(logPath, 'utf8').catch(() => ''))
      .trimEnd()
      .split('\n')
      .slice(-20)
      .join('\n');
    throw new Error(`package layer build failed (${summary}): ${code}; ${logPath} ends with:\n${tail}`);
  }
  await rename(upper, join(dir, 'root'));
  await writeFile(join(dir, READY), `${new Date().toISOString()}\n`);
  options.log(`paddock: package layer ready in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Runs argv with stdout and stderr appended to `logPath`; resolves to a description of how it ended. */
function runLogged(argv: string[], env: Record<string, string>, logPath: string): Promise<number | string> {
  return new Promise((resolve) => {
    const log = createWriteStream(logPath, { flags: 'w' });
    const [file, ...args] = argv;
    const child = spawn(file!, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const timer = setTimeout(() => killGroup(child), BUILD_TIMEOUT_MS);
    const finish = (outcome: number | string) => {
      clearTimeout(timer);
      log.end(() => resolve(outcome));
    };
    child.on('error', (error) => finish(`could not start: ${error.message}`));
    child.on('close', (code, signal) =>
      finish(code === 0 ? 0 : signal ? `killed by ${signal}` : `exit ${code ?? 'unknown'}`),
    );
  });
}
