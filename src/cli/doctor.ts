import { access, constants, mkdir } from 'node:fs/promises';
import { isPostgresUrl, type PaddockConfig } from '../config/config.js';
import { statfsFreeBytes } from '../core/storage/low-disk-guard.js';
import { rootfsOptions } from '../sandbox/bwrap/bwrap-driver.js';
import { probeBwrap } from '../sandbox/bwrap/bwrap-host.js';
import { detectCgroups } from '../sandbox/bwrap/cgroups.js';
import { detectDiskQuota } from '../sandbox/bwrap/disk-quota.js';
import { rootfsPath, rootfsReady } from '../sandbox/bwrap/rootfs.js';
import { run } from '../sandbox/host-command.js';
import { natUnavailable } from '../sandbox/network/nat-host.js';
import { ensureConfineHelper } from '../sandbox/seccomp/confine-helper.js';
import { createStore } from '../store/create-store.js';
import { checkUpstreams } from './upstreams.js';

/** One line of the report: `fail` means a session could not work; `warn` means it works with less. */
interface Check {
  name: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
}

/**
 * `paddock doctor`: what this machine and configuration can do, before a
 * session finds out. Read-only except for creating the data directory and the
 * server's cgroup (which the server would create anyway). It never calls a
 * paid model API: the upstream probe lists one model, which costs nothing.
 */
export async function runDoctor(config: PaddockConfig): Promise<number> {
  const checks: Check[] = [];
  const add = (name: string, level: Check['level'], detail: string) => checks.push({ name, level, detail });

  const major = Number(process.versions.node.split('.')[0]);
  add('node', major >= 20 ? 'ok' : 'fail', `v${process.versions.node}${major >= 20 ? '' : ' (needs ≥ 20)'}`);
  try {
    await mkdir(config.dataDir, { recursive: true });
    await access(config.dataDir, constants.W_OK);
    add('data dir', 'ok', config.dataDir);
  } catch (error) {
    add('data dir', 'fail', `${config.dataDir}: ${(error as Error).message}`);
  }
  await checkDatabase(config, add);
  // Each routed upstream is probed with a cheap request; the scripted model needs neither key nor probe.
  for (const upstream of await checkUpstreams(config)) add(upstream.name, upstream.level, upstream.detail);
  if (!config.harness)
    add('harness', 'ok', 'off on this node (PADDOCK_HARNESS=false): workers drive sessions');
  await checkSandbox(config, add);

  const width = Math.max(...checks.map((check) => check.name.length));
  for (const check of checks)
    process.stdout.write(
      `${check.level.toUpperCase().padEnd(4)}  ${check.name.padEnd(width)}  ${check.detail}\n`,
    );
  const failed = checks.filter((check) => check.level === 'fail').length;
  const warned = checks.filter((check) => check.level === 'warn').length;
  process.stdout.write(`\n${failed} failing, ${warned} with warnings, ${checks.length} checked\n`);
  return failed > 0 ? 1 : 0;
}

async function checkDatabase(
  config: PaddockConfig,
  add: (name: string, level: Check['level'], detail: string) => void,
) {
  const where = isPostgresUrl(config.databaseUrl) ? 'postgres' : 'sqlite';
  try {
    // Opening migrates: what `serve` would do at start-up, and the clearest test that it can.
    const store = await createStore(config);
    const schema = await store.meta.get('schema_version');
    await store.close();
    add('database', 'ok', `${where}, schema version ${schema ?? '?'}`);
  } catch (error) {
    add('database', 'fail', `${where}: ${(error as Error).message}`);
  }
}

async function checkSandbox(
  config: PaddockConfig,
  add: (name: string, level: Check['level'], detail: string) => void,
) {
  const driver = config.sandboxDriver ?? 'bwrap';
  if (driver === 'process') {
    add('sandbox', 'warn', 'process driver: tools run as plain host processes and isolate nothing');
    return;
  }
  const host = probeBwrap();
  if ('missing' in host) {
    add('sandbox', 'fail', host.missing);
    return;
  }
  add(
    'bubblewrap',
    'ok',
    `${host.version}, overlay: ${host.nativeOverlay ? 'native' : host.root ? 'host-side (root)' : 'none (read-only root)'}`,
  );
  const userns = await problem('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']);
  add('user namespaces', userns === undefined ? 'ok' : 'fail', userns ?? 'bwrap can create its namespaces');
  // Every tool call enters through this helper; without it no sandbox starts (seccomp/confine-helper.ts).
  const confine = await ensureConfineHelper(rootfsOptions(config, () => {}).cacheDir).then(
    (helper) => ({ ok: true, detail: `seccomp filter and privilege drop helper in ${helper.dir}` }),
    (error: unknown) => ({ ok: false, detail: (error as Error).message }),
  );
  add('sandbox confinement', confine.ok ? 'ok' : 'fail', confine.detail);
  const cgroups = await detectCgroups();
  add(
    'cgroup limits',
    cgroups.available ? 'ok' : 'warn',
    cgroups.available ? `v${cgroups.version}: memory, pids and cpu enforced` : `none: ${cgroups.reason}`,
  );
  const quota = detectDiskQuota();
  const overlay = host.nativeOverlay || host.root;
  add(
    'disk quota',
    quota.available && overlay ? 'ok' : 'warn',
    quota.available && overlay
      ? `ext4 image per session, ${config.sandbox.limits.diskBytes / 1024 / 1024} MiB by default (loop mount)`
      : `none: ${quota.available ? 'the session layer is not an overlay' : quota.reason}; a sandbox can fill this disk`,
  );
  const free = await statfsFreeBytes(config.dataDir)().catch(() => undefined);
  if (free !== undefined) {
    const low = free < config.minFreeDiskBytes;
    add(
      'data disk space',
      low ? 'warn' : 'ok',
      `${Math.floor(free / 1024 / 1024)} MiB free${low ? ': under PADDOCK_MIN_FREE_DISK_MB, new sandboxes and uploads are refused' : ''}`,
    );
  }
  const rootfs = rootfsOptions(config, () => {});
  const ready = rootfsReady(rootfs);
  const debootstrap = (await problem('debootstrap', ['--version'])) === undefined;
  add(
    'sandbox rootfs',
    ready ? 'ok' : debootstrap && host.root ? 'warn' : 'fail',
    ready
      ? rootfsPath(rootfs)
      : `not built yet (${debootstrap ? 'built at the first tool call, or now with `paddock sandbox prepare`' : 'debootstrap is missing: apt-get install debootstrap'})`,
  );
  add(
    'sandbox network',
    'ok',
    host.root
      ? 'egress proxy per sandbox'
      : 'egress proxy per sandbox, entered through its user namespace (no NAT without root)',
  );
  const nat = config.sandbox.nat ? await natUnavailable() : 'PADDOCK_SANDBOX_NAT=false';
  add(
    'unrestricted NAT',
    nat ? 'warn' : 'ok',
    nat ? `off (${nat}): HTTP(S) through the proxy only` : `nftables, subnet ${config.sandbox.subnet}`,
  );
  const socat = (await problem('socat', ['-V'])) === undefined;
  add(
    'egress relay',
    socat ? 'ok' : 'warn',
    socat ? 'socat' : 'socat missing: a Node relay is used (~40 MB per sandbox)',
  );
}

/** Undefined when the command succeeds; otherwise the first line of why not. */
function problem(file: string, args: string[]): Promise<string | undefined> {
  return run(file, args).then(
    () => undefined,
    (error: unknown) => (error as Error).message.split('\n')[0],
  );
}
