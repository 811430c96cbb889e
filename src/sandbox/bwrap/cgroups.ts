import { constants, existsSync } from 'node:fs';
import { access, appendFile, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SandboxLimits } from '../../core/ports/sandbox.js';

/** Where per-session cgroups go: one directory per controller (v1) or one (v2). */
export type CgroupSupport =
  | {
      available: true;
      version: 1 | 2;
      bases: Record<string, string>;
      /** Removes an empty cgroup directory; see CgroupPaths.removeDir. */
      removeDir: (dir: string) => Promise<void>;
    }
  | { available: false; reason: string };

/** Where the cgroup filesystem and this process's view of it live; tests point these at a temp tree. */
export interface CgroupPaths {
  root?: string;
  selfCgroup?: string;
  mounts?: string;
  /**
   * On cgroupfs `rmdir` removes a cgroup although its interface files are
   * listed in it; a fake tree of plain files needs a recursive remove instead.
   */
  removeDir?: (dir: string) => Promise<void>;
}

const V1_CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
const V2_CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
/** The leaf the server's own processes move to, so their cgroup may delegate controllers (v2). */
export const SERVER_LEAF = 'paddock-server';

/**
 * Finds a writable place for sandbox cgroups, nested under the server's own
 * cgroup so a parent's limits still apply. Never throws: when cgroups are not
 * writable (e.g. an unprivileged container) it says why.
 */
export async function detectCgroups(paths: CgroupPaths = {}): Promise<CgroupSupport> {
  const root = paths.root ?? '/sys/fs/cgroup';
  const removeDir = paths.removeDir ?? ((dir: string) => rmdir(dir));
  try {
    const own = (await readFile(paths.selfCgroup ?? '/proc/self/cgroup', 'utf8')).trim().split('\n');
    if (existsSync(join(root, 'cgroup.controllers'))) return await prepareV2(root, own, removeDir);
    if (existsSync(join(root, 'memory'))) {
      const mounts = await readFile(paths.mounts ?? '/proc/self/mounts', 'utf8');
      return await prepareV1(own, mounts, removeDir);
    }
    return { available: false, reason: `no cgroup filesystem at ${root}` };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

async function prepareV1(
  own: string[],
  mounts: string,
  removeDir: (dir: string) => Promise<void>,
): Promise<CgroupSupport> {
  const bases: Record<string, string> = {};
  for (const controller of V1_CONTROLLERS) {
    const line = own.find((entry) => entry.split(':')[1]?.split(',').includes(controller));
    const mount = v1Mount(mounts, controller);
    if (!line || !mount)
      return { available: false, reason: `cgroup v1 controller ${controller} is not mounted` };
    const base = join(mount, line.split(':').slice(2).join(':'), 'paddock');
    await mkdir(base, { recursive: true });
    // It may exist already, made by a root server: a non-root one could not create sessions in it.
    await access(base, constants.W_OK);
    bases[controller] = base;
  }
  return { available: true, version: 1, bases, removeDir };
}

function v1Mount(mounts: string, controller: string): string | undefined {
  for (const line of mounts.split('\n')) {
    const [, target, type, options] = line.split(' ');
    if (type === 'cgroup' && target && options?.split(',').includes(controller)) return target;
  }
  return undefined;
}

/**
 * v2 forbids a cgroup with processes of its own from enabling controllers for
 * its children ("no internal processes"). A delegated service cgroup
 * (systemd Delegate=yes) usually holds the server itself, so its processes
 * first move to a leaf, `<own>/paddock-server`, as systemd's delegation
 * contract expects; sandboxes then go below `<own>/paddock`.
 */
async function prepareV2(
  root: string,
  own: string[],
  removeDir: (dir: string) => Promise<void>,
): Promise<CgroupSupport> {
  let path = own.find((entry) => entry.startsWith('0::'))?.slice(3) ?? '/';
  // Already moved by an earlier detection in this process: the delegated cgroup is the leaf's parent.
  if (basename(path) === SERVER_LEAF) path = dirname(path);
  const parent = join(root, path);
  const notWritable = (what: string) => ({
    available: false as const,
    reason:
      `cgroup v2: cannot ${what} (${parent}); run the server in a delegated cgroup ` +
      '(systemd Delegate=yes) or give it a writable cgroup namespace',
  });
  const controllers = (await readFile(join(parent, 'cgroup.controllers'), 'utf8').catch(() => '')).split(
    /\s+/,
  );
  const missing = V2_CONTROLLERS.filter((controller) => !controllers.includes(controller));
  if (missing.length > 0) return notWritable(`use the ${missing.join('/')} controller(s): not delegated`);
  // Unreadable counts as nothing enabled: the write below then fails with the reason.
  const enabled = (await readFile(join(parent, 'cgroup.subtree_control'), 'utf8').catch(() => '')).split(
    /\s+/,
  );
  if (!V2_CONTROLLERS.every((controller) => enabled.includes(controller))) {
    try {
      await moveProcessesToLeaf(parent);
    } catch (error) {
      return notWritable(`move the server's processes into ${SERVER_LEAF}: ${(error as Error).message}`);
    }
    try {
      await writeFile(join(parent, 'cgroup.subtree_control'), enableAll());
    } catch (error) {
      return notWritable(`enable memory/pids/cpu for sub-cgroups: ${(error as Error).message}`);
    }
  }
  const base = join(parent, 'paddock');
  try {
    await mkdir(base, { recursive: true });
    await writeFile(join(base, 'cgroup.subtree_control'), enableAll());
  } catch (error) {
    return notWritable(`create ${base}: ${(error as Error).message}`);
  }
  return { available: true, version: 2, bases: { unified: base }, removeDir };
}

/**
 * The real root cgroup (no `cgroup.type`) is exempt from the rule, and
 * moving every host process out of it would be wrong, so it is left alone.
 * The kernel takes one pid per write.
 */
async function moveProcessesToLeaf(parent: string): Promise<void> {
  if (!existsSync(join(parent, 'cgroup.type'))) return;
  const pids = (await readFile(join(parent, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean);
  if (pids.length === 0) return;
  const leaf = join(parent, SERVER_LEAF);
  await mkdir(leaf, { recursive: true });
  for (const pid of pids) {
    try {
      await appendFile(join(leaf, 'cgroup.procs'), `${pid}\n`);
    } catch (error) {
      // A process that exited meanwhile is not in the way.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

function enableAll(): string {
  return V2_CONTROLLERS.map((controller) => `+${controller}`).join(' ');
}

/** One session's cgroup: processes join by writing their pid to `procsFiles`. */
export class SessionCgroup {
  private constructor(
    private readonly version: 1 | 2,
    private readonly dirs: string[],
    private readonly removeDir: (dir: string) => Promise<void>,
  ) {}

  static async create(support: CgroupSupport, name: string, limits: SandboxLimits): Promise<SessionCgroup> {
    if (!support.available) throw new Error(support.reason);
    const dirs = Object.values(support.bases).map((base) => join(base, name));
    for (const dir of dirs) await mkdir(dir, { recursive: true });
    const cgroup = new SessionCgroup(support.version, dirs, support.removeDir);
    const quota = String(Math.round(limits.cpus * 100_000));
    if (support.version === 2) {
      const dir = dirs[0]!;
      await writeFile(join(dir, 'memory.max'), String(limits.memoryBytes));
      // Absent without swap accounting; with it, a sandbox could otherwise swap beyond memory.max.
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

  /**
   * After a crash: the cgroups a dead server left for its sessions (`<session id>-<suffix>`,
   * see the driver), named by `owned`. Their processes are killed (normally already gone with
   * the server) and the directories removed. Returns the names reclaimed.
   */
  static async reclaim(support: CgroupSupport, owned: (sessionId: string) => boolean): Promise<string[]> {
    if (!support.available) return [];
    const names = new Set<string>();
    for (const base of Object.values(support.bases))
      for (const entry of await readdir(base, { withFileTypes: true }).catch(() => []))
        if (entry.isDirectory() && owned(entry.name.replace(/-[0-9a-z]+$/, ''))) names.add(entry.name);
    for (const name of names) {
      const dirs = Object.values(support.bases).map((base) => join(base, name));
      await new SessionCgroup(support.version, dirs, support.removeDir).destroy();
    }
    return [...names];
  }

  /** Memory charged to the cgroup now (v2 memory.current, v1 memory.usage_in_bytes). */
  async memoryBytes(): Promise<number | undefined> {
    const file = this.version === 2 ? 'memory.current' : 'memory.usage_in_bytes';
    const text = await readFile(join(this.dirs[0]!, file), 'utf8').catch(() => '');
    const bytes = Number(text.trim());
    return text.trim() !== '' && Number.isFinite(bytes) ? bytes : undefined;
  }

  get procsFiles(): string[] {
    return this.dirs.map((dir) => join(dir, 'cgroup.procs'));
  }

  /**
   * Kills every process in the cgroup, then removes it once empty. v2's
   * cgroup.kill also catches processes forked while the kill runs; the
   * per-pid SIGKILL loop covers v1 and kernels before 5.14.
   */
  async destroy(): Promise<void> {
    if (this.version === 2) await writeFile(join(this.dirs[0]!, 'cgroup.kill'), '1').catch(() => {});
    for (let attempt = 0; attempt < 50; attempt++) {
      const pids = await this.pids();
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const dir of this.dirs) await this.removeDir(dir).catch(() => {});
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
