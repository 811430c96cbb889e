import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxLimits } from '../../core/ports/sandbox.js';

/** Where per-session cgroups go: one directory per controller (v1) or one (v2). */
export type CgroupSupport =
  | { available: true; version: 1 | 2; bases: Record<string, string> }
  | { available: false; reason: string };

const V1_CONTROLLERS = ['memory', 'pids', 'cpu'] as const;

/**
 * Finds a writable place for sandbox cgroups, nested under the server's own
 * cgroup so a parent's limits still apply. Never throws: when cgroups are not
 * writable (e.g. an unprivileged container) it says why.
 */
export async function detectCgroups(): Promise<CgroupSupport> {
  try {
    const own = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
    if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return await prepareV2(own);
    if (existsSync('/sys/fs/cgroup/memory')) return await prepareV1(own);
    return { available: false, reason: 'no cgroup filesystem at /sys/fs/cgroup' };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

async function prepareV1(own: string[]): Promise<CgroupSupport> {
  const bases: Record<string, string> = {};
  for (const controller of V1_CONTROLLERS) {
    const line = own.find((entry) => entry.split(':')[1]?.split(',').includes(controller));
    const mount = v1Mount(controller);
    if (!line || !mount)
      return { available: false, reason: `cgroup v1 controller ${controller} is not mounted` };
    const base = join(mount, line.split(':').slice(2).join(':'), 'paddock');
    await mkdir(base, { recursive: true });
    bases[controller] = base;
  }
  return { available: true, version: 1, bases };
}

function v1Mount(controller: string): string | undefined {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, target, type, options] = line.split(' ');
    if (type === 'cgroup' && target && options?.split(',').includes(controller)) return target;
  }
  return undefined;
}

async function prepareV2(own: string[]): Promise<CgroupSupport> {
  const path = own.find((entry) => entry.startsWith('0::'))?.slice(3) ?? '/';
  const parent = join('/sys/fs/cgroup', path);
  const base = join(parent, 'paddock');
  try {
    await writeFile(join(parent, 'cgroup.subtree_control'), '+memory +pids +cpu');
  } catch (error) {
    return {
      available: false,
      reason:
        `cgroup v2: cannot enable memory/pids/cpu below ${parent} (${(error as Error).message}); ` +
        'run the server in a delegated cgroup whose own processes live in a leaf (systemd Delegate=yes)',
    };
  }
  await mkdir(base, { recursive: true });
  await writeFile(join(base, 'cgroup.subtree_control'), '+memory +pids +cpu');
  return { available: true, version: 2, bases: { unified: base } };
}

/** One session's cgroup: processes join by writing their pid to `procsFiles`. */
export class SessionCgroup {
  private constructor(
    private readonly version: 1 | 2,
    private readonly dirs: string[],
  ) {}

  static async create(support: CgroupSupport, name: string, limits: SandboxLimits): Promise<SessionCgroup> {
    if (!support.available) throw new Error(support.reason);
    const dirs = Object.values(support.bases).map((base) => join(base, name));
    for (const dir of dirs) await mkdir(dir, { recursive: true });
    const cgroup = new SessionCgroup(support.version, dirs);
    const quota = String(Math.round(limits.cpus * 100_000));
    if (support.version === 2) {
      const dir = dirs[0]!;
      await writeFile(join(dir, 'memory.max'), String(limits.memoryBytes));
      await writeFile(join(dir, 'memory.swap.max'), '0').catch(() => {});
      await writeFile(join(dir, 'pids.max'), String(limits.pids));
      await writeFile(join(dir, 'cpu.max'), `${quota} 100000`);
    } else {
      const [memory, pids, cpu] = dirs as [string, string, string];
      await writeFile(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      // Without this a v1 cgroup could use swap beyond its memory limit.
      await writeFile(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(
        () => {},
      );
      await writeFile(join(pids, 'pids.max'), String(limits.pids));
      await writeFile(join(cpu, 'cpu.cfs_period_us'), '100000');
      await writeFile(join(cpu, 'cpu.cfs_quota_us'), quota);
    }
    return cgroup;
  }

  get procsFiles(): string[] {
    return this.dirs.map((dir) => join(dir, 'cgroup.procs'));
  }

  /** SIGKILLs every process in the cgroup, then removes it once empty. */
  async destroy(): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const pids = await this.pids();
      if (pids.length === 0) break;
      if (this.version === 2) await writeFile(join(this.dirs[0]!, 'cgroup.kill'), '1').catch(() => {});
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const dir of this.dirs) await rmdir(dir).catch(() => {});
  }

  private async pids(): Promise<number[]> {
    const all = new Set<number>();
    for (const file of this.procsFiles) {
      const text = await readFile(file, 'utf8').catch(() => '');
      for (const line of text.split('\n')) if (line) all.add(Number(line));
    }
    return [...all];
  }
}
