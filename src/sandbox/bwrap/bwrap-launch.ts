import { relative } from 'node:path';
import type { StagedMount } from '../resources/stage-resources.js';
import {
  CONFINE_DIR_INSIDE,
  CONFINE_INSIDE,
  type ConfineHelper,
  FILTER_INSIDE,
} from '../seccomp/confine-helper.js';
import { type BwrapHost, HOST_PATH, SANDBOX_PATH } from './bwrap-host.js';
import type { SessionLayer } from './session-layer.js';

export const WORKDIR = '/workspace';
export const READY_LINE = 'paddock-sandbox-ready';
/**
 * An empty host directory on which each sandbox's private mount namespace
 * mounts its own overlay for bwrap to bind as `/`. Outside those namespaces it
 * stays empty; it must be traversable by the unprivileged sandbox uid.
 */
const OVERLAY_MOUNT = '/run/paddock-sandbox-root';
/**
 * Same idea for session resources: the session's staged mounts directory
 * lives under the (possibly 0700) data dir, which the unprivileged sandbox uid
 * cannot traverse; bound here in the private namespace, bwrap can bind from it.
 */
const MOUNTS_POINT = '/run/paddock-sandbox-mounts';
/** Same idea for the confine helper (seccomp/confine-helper.ts), whose cache may be under the data dir. */
const CONFINE_POINT = '/run/paddock-sandbox-confine';
/** bwrap reads the seccomp program from this descriptor, opened by the launch script. */
const SECCOMP_FD = 5;
export const OUTPUTS_DIR = '/mnt/session/outputs';

export interface Launch {
  argv: string[];
  env: Record<string, string>;
}

/**
 * The command that starts one sandbox. A tiny host shell first joins the
 * session's cgroups (so every descendant is limited from its first
 * instruction), then — when running as root on a bwrap without native overlay
 * support — mounts the session overlay in a private mount namespace that dies
 * with the sandbox (no stale mounts after a crash), drops to the unprivileged
 * sandbox uid and execs bwrap. pid 1 inside only sleeps; tools enter via nsenter.
 */
export function buildLaunch(options: {
  host: BwrapHost;
  /** Read-only layers, top first: the environment's package layer (if any), then the base rootfs. */
  lowers: string[];
  layer: Pick<SessionLayer, 'upper' | 'work' | 'workspace' | 'home'>;
  /** Session resources, staged under `mountsDir`. */
  mounts: StagedMount[];
  mountsDir: string | undefined;
  cgroupProcs: string[];
  hostUid: number;
  /**
   * `host` keeps the network namespace bwrap starts in: package-layer builds, which are started
   * inside a prepared one (build-network.ts) unless the server is not root. Sessions never share one.
   */
  network?: 'none' | 'host';
  /** A one-shot command instead of the sleeping pid 1 (package-layer builds). */
  command?: string[];
  /** Extra host files bound read-only (host path, sandbox path). */
  readOnlyBinds?: Array<[string, string]>;
  env?: Record<string, string>;
  /**
   * The seccomp filter for everything bwrap starts, and the helper tools enter through (buildEnter),
   * bound read-only at a mount point under bwrap's /dev that the sandbox can neither rename nor unmount.
   */
  confine: ConfineHelper;
}): Launch {
  const { host, lowers, layer } = options;
  const hostOverlay = host.root && !host.nativeOverlay;
  const overlay = hostOverlay || host.nativeOverlay;
  if (!overlay && lowers.length > 1)
    throw new Error('package layers need overlayfs: run the server as root or use bubblewrap ≥ 0.10');
  const rootArgs = hostOverlay
    ? ['--bind', OVERLAY_MOUNT, '/']
    : host.nativeOverlay
      ? [
          ...[...lowers].reverse().flatMap((lower) => ['--overlay-src', lower]),
          '--overlay',
          layer.upper,
          layer.work,
          '/',
        ]
      : [
          '--ro-bind',
          lowers[lowers.length - 1]!,
          '/',
          '--bind',
          layer.workspace,
          WORKDIR,
          '--bind',
          layer.home,
          '/root',
        ];
  const viaMountsPoint = host.root && options.mountsDir !== undefined && options.mounts.length > 0;
  const mounts = options.mounts.flatMap((mount) => [
    mount.readOnly ? '--ro-bind' : '--bind',
    viaMountsPoint ? `${MOUNTS_POINT}/${relative(options.mountsDir!, mount.source)}` : mount.source,
    mount.sandboxPath,
  ]);
  const binds = (options.readOnlyBinds ?? []).flatMap(([source, target]) => ['--ro-bind', source, target]);
  const confine = [
    '--ro-bind',
    host.root ? CONFINE_POINT : options.confine.dir,
    CONFINE_DIR_INSIDE,
    '--seccomp',
    String(SECCOMP_FD),
    // Belt and braces with the filter's clone/unshare rules: no user namespace can be made inside.
    // bwrap does it by nesting a second user namespace, which a non-root server's relay and tools
    // (entering through the sandbox's user namespace, netns-ref.ts) could no longer get out of.
    ...(host.root ? ['--disable-userns'] : []),
  ];
  const env = Object.entries(options.env ?? {}).flatMap(([name, value]) => ['--setenv', name, value]);
  const oneShot = options.command !== undefined;
  const bwrap = [
    'bwrap',
    // user, ipc, pid, net (loopback only), uts and cgroup namespaces
    '--unshare-all',
    // --unshare-all only tries; --disable-userns (below) needs it for sure.
    ...(host.root ? ['--unshare-user'] : []),
    ...(options.network === 'host' ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv',
    'PATH',
    SANDBOX_PATH,
    '--setenv',
    'HOME',
    '/root',
    '--setenv',
    'LANG',
    'C.UTF-8',
    ...env,
    '--uid',
    '0',
    '--gid',
    '0',
    '--hostname',
    'paddock',
    ...rootArgs,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    ...binds,
    ...confine,
    ...(overlay && !oneShot ? ['--dir', OUTPUTS_DIR] : []),
    ...mounts,
    '--chdir',
    WORKDIR,
    ...(oneShot
      ? ['--', ...options.command!]
      : [
          '--info-fd',
          '3',
          // --info-fd is written before the child has finished its mounts; entering then could see a
          // half-built root. This line on stdout means setup is complete and the command is running.
          '--',
          '/bin/sh',
          '-c',
          `echo ${READY_LINE}; exec sleep infinity`,
        ]),
  ];
  const drop = host.root
    ? [
        'setpriv',
        `--reuid=${options.hostUid}`,
        `--regid=${options.hostUid}`,
        '--clear-groups',
        '--inh-caps=-all',
        '--',
      ]
    : [];
  const hostEnv: Record<string, string> = {
    PATH: HOST_PATH,
    PADDOCK_CGROUP_PROCS: options.cgroupProcs.join('\n'),
    PADDOCK_SECCOMP: options.confine.filter,
  };
  if (host.root) hostEnv['PADDOCK_CONFINE'] = options.confine.dir;
  if (hostOverlay) {
    for (const path of [...lowers, layer.upper, layer.work])
      if (/[,:\\\n]/.test(path)) throw new Error(`overlay path ${JSON.stringify(path)} contains , : or \\`);
    hostEnv['PADDOCK_OVERLAY'] = `lowerdir=${lowers.join(':')},upperdir=${layer.upper},workdir=${layer.work}`;
  }
  if (viaMountsPoint) hostEnv['PADDOCK_MOUNTS'] = options.mountsDir!;
  return { argv: ['/bin/sh', '-c', LAUNCH_SCRIPT, 'paddock-sandbox', ...drop, ...bwrap], env: hostEnv };
}

/** Shell: moves the shell into every cgroup.procs file listed in $PADDOCK_CGROUP_PROCS. */
export const JOIN_CGROUPS = `
printf '%s\\n' "$PADDOCK_CGROUP_PROCS" | while IFS= read -r f; do
  [ -z "$f" ] || echo $$ > "$f" || exit 97
done || exit 97
unset PADDOCK_CGROUP_PROCS`;

// The filter is opened here (as the server's user), before the drop to the sandbox uid.
const LAUNCH_SCRIPT = `${JOIN_CGROUPS}
exec ${SECCOMP_FD}<"$PADDOCK_SECCOMP" || exit 96
unset PADDOCK_SECCOMP
if [ -n "$PADDOCK_OVERLAY$PADDOCK_MOUNTS$PADDOCK_CONFINE" ]; then
  exec unshare --mount --propagation private -- /bin/sh -c '
    if [ -n "$PADDOCK_OVERLAY" ]; then
      mkdir -p -m 0755 ${OVERLAY_MOUNT} &&
      mount -t overlay paddock -o "$PADDOCK_OVERLAY" ${OVERLAY_MOUNT} || exit 98
    fi
    if [ -n "$PADDOCK_MOUNTS" ]; then
      mkdir -p -m 0755 ${MOUNTS_POINT} &&
      mount --bind "$PADDOCK_MOUNTS" ${MOUNTS_POINT} || exit 98
    fi
    if [ -n "$PADDOCK_CONFINE" ]; then
      mkdir -p -m 0755 ${CONFINE_POINT} &&
      mount --bind "$PADDOCK_CONFINE" ${CONFINE_POINT} || exit 98
    fi
    unset PADDOCK_OVERLAY PADDOCK_MOUNTS PADDOCK_CONFINE
    exec "$@"' sh "$@"
fi
exec "$@"`;

/**
 * Runs argv inside a started sandbox: join its cgroups, enter all its
 * namespaces and its root with nsenter, then run the confine helper, bound
 * read-only from the host: it sets the environment, drops every capability,
 * sets no_new_privs and loads the seccomp filter, and checks each, before
 * anything from the sandbox's own (writable) filesystem runs.
 */
export function buildEnter(
  childPid: number,
  cgroupProcs: string[],
  argv: string[],
  env: Record<string, string> = {},
): Launch {
  return {
    argv: [
      '/bin/sh',
      '-c',
      `${JOIN_CGROUPS}\nexec "$@"`,
      'paddock-enter',
      'nsenter',
      `--target=${childPid}`,
      '--user',
      '--mount',
      '--pid',
      '--ipc',
      '--uts',
      '--net',
      '--cgroup',
      '--root',
      // No argument: start in the target's cwd (the workdir); a path here would be resolved on the host.
      '--wd',
      // A non-root server's sandbox (unprivileged bwrap) denies setgroups, which nsenter would call
      // to become the namespace's root; its uid already maps to that root, so keep it as it is.
      ...(process.getuid?.() === 0 ? [] : ['--preserve-credentials']),
      '--',
      CONFINE_INSIDE,
      FILTER_INSIDE,
      `PATH=${SANDBOX_PATH}`,
      'HOME=/root',
      'LANG=C.UTF-8',
      'TERM=dumb',
      'PS1=',
      'PS2=',
      'USER=root',
      ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
      '--',
      ...argv,
    ],
    env: { PATH: HOST_PATH, PADDOCK_CGROUP_PROCS: cgroupProcs.join('\n') },
  };
}
