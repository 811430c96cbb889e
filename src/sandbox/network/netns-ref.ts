/**
 * A network namespace to set egress up in: a running sandbox's (by its pid 1)
 * or a named one under /run/netns (package-layer builds, made before bwrap starts).
 */
export type NetnsRef = { pid: number } | { name: string };

export function nsenterNet(netns: NetnsRef): string {
  return 'pid' in netns ? `--net=/proc/${netns.pid}/ns/net` : `--net=/run/netns/${netns.name}`;
}
