import { existsSync } from 'node:fs';
import { mkdir, open, readFile, realpath, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../host-command.js';
import type { SessionLayer } from './session-layer.js';

/**
 * A kernel-enforced disk quota per session (docs/decisions/0011-disk-quota.md):
 * the session's overlay upper and work directories (and its staged resources)
 * live on a sparse ext4 image of the quota's size, loop-mounted on the host
 * while the sandbox runs. Writing past it is ENOSPC inside the sandbox, `df`
 * there shows the image, and the host file grows by at most the quota.
 */
export type DiskQuotaSupport = { available: true } | { available: false; reason: string };

/** Loop mounts need root, mkfs.ext4 and a loop control device; without them sessions are unbounded. */
export function detectDiskQuota(): DiskQuotaSupport {
  if (process.getuid?.() !== 0)
    return { available: false, reason: 'the server is not root, so it cannot loop-mount disk images' };
  if (!existsSync('/dev/loop-control')) return { available: false, reason: 'no /dev/loop-control' };
  for (const tool of ['mkfs.ext4', 'mount', 'umount'])
    if (!['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((dir) => existsSync(join(dir, tool))))
      return { available: false, reason: `${tool} is not installed (e2fsprogs / util-linux)` };
  return { available: true };
}

/**
 * noinit_itable: the kernel would otherwise zero inode tables in the background,
 * writing to the image long after mkfs. nosuid/nodev: the host never honours
 * what a sandbox stored there (overlay whiteouts are still created fine).
 */
const MOUNT_OPTIONS = 'loop,nosuid,nodev,noatime,noinit_itable';

/**
 * Mounts and unmounts session images, counting users per session so a
 * sandbox starting while the previous instance stops keeps its mount.
 */
export class SessionDisks {
  private readonly users = new Map<string, number>();
  /** One mount/unmount at a time per session. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Layers moved to a session's path (move()), by their first directory. */
  private readonly moved = new Map<string, SessionLayer>();

  constructor(private readonly log: (message: string) => void) {}

  /** Mounts the session's image (made on first use) at `layer.disk`; resolves to its release. */
  async acquire(layer: SessionLayer, bytes: number): Promise<() => Promise<void>> {
    await this.serial(layer.dir, async () => {
      const count = this.users.get(layer.dir) ?? 0;
      if (count === 0 && !(await isMounted(layer.disk))) await mountImage(layer, bytes);
      this.users.set(layer.dir, count + 1);
    });
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      // A pooled sandbox's layer may have moved to its session's path since (move()).
      const current = this.moved.get(layer.dir) ?? layer;
      await this.serial(current.dir, async () => {
        const count = (this.users.get(current.dir) ?? 1) - 1;
        if (count > 0) return void this.users.set(current.dir, count);
        this.users.delete(current.dir);
        this.moved.delete(layer.dir);
        await unmount(current.disk).catch((error: unknown) =>
          this.log(`paddock: could not unmount ${current.disk}: ${(error as Error).message}`),
        );
      });
    };
  }

  /** A pooled sandbox handed to a session: its directory (and mounted disk) becomes the session's. */
  async move(from: SessionLayer, to: SessionLayer): Promise<void> {
    await this.serial(from.dir, async () => {
      await rename(from.dir, to.dir);
      const count = this.users.get(from.dir);
      this.users.delete(from.dir);
      if (count !== undefined) this.users.set(to.dir, count);
      this.moved.set(from.dir, to);
    });
  }

  /** Before a session's files are deleted: whatever still mounts its image goes. */
  async forget(layer: SessionLayer): Promise<void> {
    await this.serial(layer.dir, async () => {
      this.users.delete(layer.dir);
      if (await isMounted(layer.disk)) await unmount(layer.disk);
    });
  }

  private serial(key: string, task: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(key) ?? Promise.resolve()).catch(() => {}).then(task);
    this.queues.set(key, next);
    void next.finally(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
    return next;
  }
}

async function mountImage(layer: SessionLayer, bytes: number): Promise<void> {
  await mkdir(layer.disk, { recursive: true, mode: 0o755 });
  const size = (await stat(layer.image).catch(() => undefined))?.size;
  if (size === undefined) {
    // Sparse: the host pays only for blocks the session writes. `-m 0`: no blocks reserved for root.
    const handle = await open(layer.image, 'wx', 0o600);
    await handle.truncate(bytes);
    await handle.close();
    await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'nodiscard,lazy_itable_init=1', layer.image]);
  } else if (size < bytes) {
    // A larger quota set since the image was made: grow it before mounting (the kernel refuses an
    // online grow on some setups; offline needs a clean check first). Shrinking is never done.
    const handle = await open(layer.image, 'r+');
    await handle.truncate(bytes);
    await handle.close();
    // Exit 1 means "errors corrected" (e.g. a journal replayed after a crash); if the check really
    // failed, resize2fs refuses next and says why.
    await run('e2fsck', ['-f', '-p', layer.image]).catch(() => {});
    await run('resize2fs', [layer.image]);
  }
  await run('mount', ['-t', 'ext4', '-o', MOUNT_OPTIONS, layer.image, layer.disk]);
}

/** Unmounts; the loop device is freed with it (mount -o loop sets autoclear). */
async function unmount(mountPoint: string): Promise<void> {
  try {
    await run('umount', [mountPoint]);
  } catch (error) {
    // Busy (a process still in the dying sandbox): detach now, the kernel frees it when the last user goes.
    if (!(await isMounted(mountPoint))) return;
    await run('umount', ['--lazy', mountPoint]).catch(() => {
      throw error;
    });
  }
}

/** Unmounts a session disk if something left it mounted. */
export async function releaseDisk(mountPoint: string): Promise<void> {
  if (await isMounted(mountPoint)) await unmount(mountPoint);
}

export async function isMounted(mountPoint: string): Promise<boolean> {
  // mountinfo names real paths: a data dir reached through a symlink must be resolved first.
  const real = await realpath(mountPoint).catch(() => mountPoint);
  return (await mountPoints()).includes(real);
}

/** Mount points of this mount namespace (octal escapes of mountinfo decoded). */
export async function mountPoints(): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return table
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((path): path is string => path !== undefined)
    .map((path) =>
      path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
    );
}

/**
 * After a crash: session images a dead server left mounted under
 * `sessionsDir` (its sandboxes died with it; the host mounts did not).
 * Returns what was unmounted. Only for a data dir no live server uses.
 */
export async function reclaimDiskMounts(sessionsDir: string): Promise<string[]> {
  const prefix = `${await realpath(sessionsDir).catch(() => sessionsDir)}/`;
  const leftovers = (await mountPoints()).filter(
    (path) =>
      path.startsWith(prefix) && path.endsWith('/disk') && !path.slice(prefix.length, -5).includes('/'),
  );
  const reclaimed: string[] = [];
  for (const path of [...new Set(leftovers)]) {
    await unmount(path).then(
      () => reclaimed.push(path),
      () => {},
    );
  }
  return reclaimed;
}
