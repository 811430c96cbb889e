/**
 * A network namespace to set egress up in: a running sandbox's (by its pid 1)
 * or a named one under /run/netns (package-layer builds, made before bwrap starts).
 * `cgroupProcs`: the sandbox's cgroup.procs files, which its host-side relay joins
 * so that the relay's processes count against the sandbox's own limits.
 */
export type NetnsRef = { pid: number; cgroupProcs?: string[] } | { name: string; cgroupProcs?: string[] };

export function nsenterNet(netns: NetnsRef): string {
  return 'pid' in netns ? `--net=/proc/${netns.pid}/ns/net` : `--net=/run/netns/${netns.name}`;
}

/**
 * nsenter arguments that enter a sandbox's network namespace. A non-root
 * server may not join it directly (it belongs to the sandbox's user
 * namespace), but an unprivileged bwrap made that user namespace with the
 * server's own uid, so the server may join it first; `--preserve-credentials`
 * keeps the server's uid (no setuid to the namespace's root), so the process
 * stays an ordinary host process of the server's user.
 */
export function nsenterNetArgs(netns: NetnsRef, root = process.getuid?.() === 0): string[] {
  if (root || !('pid' in netns)) return [nsenterNet(netns)];
  return [`--user=/proc/${netns.pid}/ns/user`, nsenterNet(netns), '--preserve-credentials'];
}
