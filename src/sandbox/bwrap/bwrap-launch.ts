import type { SandboxSpec } from '../../core/ports/sandbox.js';
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
  rootfs: string;
  layer: SessionLayer;
  spec: SandboxSpec;
  cgroupProcs: string[];
  hostUid: number;
}): Launch {
  const { host, rootfs, layer } = options;
  const hostOverlay = host.root && !host.nativeOverlay;
  const rootArgs = hostOverlay
    ? ['--bind', OVERLAY_MOUNT, '/']
    : host.nativeOverlay
      ? ['--overlay-src', rootfs, '--overlay', layer.upper, layer.work, '/']
      : ['--ro-bind', rootfs, '/', '--bind', layer.workspace, WORKDIR, '--bind', layer.home, '/root'];
  const mounts = (options.spec.mounts ?? []).flatMap((mount) => [
    mount.readOnly ? '--ro-bind' : '--bind',
    mount.hostPath,
    mount.sandboxPath,
  ]);
  const bwrap = [
    'bwrap',
    // user, ipc, pid, net (loopback only), uts and cgroup namespaces
    '--unshare-all',
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
    ...mounts,
    '--chdir',
    WORKDIR,
    '--info-fd',
    '3',
    // --info-fd is written before the child has finished its mounts; entering then could see a
    // half-built root. This line on stdout means setup is complete and the command is running.
    '--',
    '/bin/sh',
    '-c',
    `echo ${READY_LINE}; exec sleep infinity`,
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
  const env: Record<string, string> = {
    PATH: HOST_PATH,
    PADDOCK_CGROUP_PROCS: options.cgroupProcs.join('\n'),
  };
  if (hostOverlay) {
    for (const path of [rootfs, layer.upper, layer.work])
      if (/[,:\\\n]/.test(path)) throw new Error(`overlay path ${JSON.stringify(path)} contains , : or \\`);
    env['PADDOCK_OVERLAY'] = `lowerdir=${rootfs},upperdir=${layer.upper},workdir=${layer.work}`;
  }
  return { argv: ['/bin/sh', '-c', LAUNCH_SCRIPT, 'paddock-sandbox', ...drop, ...bwrap], env };
}

const JOIN_CGROUPS = `
printf '%s\\n' "$PADDOCK_CGROUP_PROCS" | while IFS= read -r f; do
  [ -z "$f" ] || echo $$ > "$f" || exit 97
done || exit 97
unset PADDOCK_CGROUP_PROCS`;

const LAUNCH_SCRIPT = `${JOIN_CGROUPS}
if [ -n "$PADDOCK_OVERLAY" ]; then
  exec unshare --mount --propagation private -- /bin/sh -c '
    mkdir -p -m 0755 ${OVERLAY_MOUNT} &&
    mount -t overlay paddock -o "$PADDOCK_OVERLAY" ${OVERLAY_MOUNT} || exit 98
    unset PADDOCK_OVERLAY
    exec "$@"' sh "$@"
fi
exec "$@"`;

/**
 * Runs argv inside a started sandbox: join its cgroups, enter all its
 * namespaces and its root with nsenter, then start from an empty environment
 * with every capability dropped.
 */
export function buildEnter(childPid: number, cgroupProcs: string[], argv: string[]): Launch {
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
      '--',
      '/usr/bin/env',
      '-i',
      `PATH=${SANDBOX_PATH}`,
      'HOME=/root',
      'LANG=C.UTF-8',
      'TERM=dumb',
      'PS1=',
      'PS2=',
      'USER=root',
      '/usr/bin/setpriv',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
      ...argv,
    ],
    env: { PATH: HOST_PATH, PADDOCK_CGROUP_PROCS: cgroupProcs.join('\n') },
  };
}
