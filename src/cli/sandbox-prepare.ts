import type { PaddockConfig } from '../config/config.js';
import { rootfsOptions } from '../sandbox/bwrap/bwrap-driver.js';
import { probeBwrap } from '../sandbox/bwrap/bwrap-host.js';
import { detectCgroups } from '../sandbox/bwrap/cgroups.js';
import { ensureRootfs } from '../sandbox/bwrap/rootfs.js';

/** `paddock sandbox prepare`: builds the cached base rootfs now instead of at the first tool call. */
export async function runSandbox(config: PaddockConfig, args: string[]): Promise<number> {
  if (args[0] !== 'prepare') {
    process.stderr.write('usage: paddock sandbox prepare\n');
    return 2;
  }
  const log = (message: string) => process.stdout.write(`${message}\n`);
  const host = probeBwrap();
  if ('missing' in host) log(`warning: ${host.missing}`);
  else
    log(
      `bubblewrap ${host.version} (native overlay: ${host.nativeOverlay ? 'yes' : 'no'}, root: ${host.root})`,
    );
  const cgroups = await detectCgroups();
  log(
    cgroups.available
      ? `cgroup v${cgroups.version}: limits enforced`
      : `warning: no cgroup limits: ${cgroups.reason}`,
  );
  const path = await ensureRootfs(rootfsOptions(config, log));
  log(`sandbox rootfs: ${path}`);
  return 0;
}
