import { statfs } from 'node:fs/promises';
import { PaddockError } from '../errors.js';

/** Free bytes on the filesystem holding the data dir; injectable so tests can simulate a full disk. */
export type FreeDiskReader = () => Promise<number>;

/** What statfs reports as available to an unprivileged writer (blocks reserved for root excluded). */
export function statfsFreeBytes(dir: string): FreeDiskReader {
  return async () => {
    const info = await statfs(dir);
    return info.bavail * info.bsize;
  };
}

/**
 * Refuses work that would write to a nearly full data disk (new sandboxes,
 * uploads) while there is still room for what must not fail: the event log
 * and the database. Running sessions keep running; they are told why their
 * next sandbox is refused.
 */
export class LowDiskGuard {
  constructor(
    private readonly freeBytes: FreeDiskReader,
    /** 0 disables the guard (PADDOCK_MIN_FREE_DISK_MB=0). */
    private readonly minFreeBytes: number,
  ) {}

  /** Throws `insufficient_storage` naming `action` when free space is under the threshold. */
  async check(action: string): Promise<void> {
    if (this.minFreeBytes <= 0) return;
    const free = await this.freeBytes();
    if (free >= this.minFreeBytes) return;
    const mib = (bytes: number) => Math.floor(bytes / (1024 * 1024));
    throw new PaddockError(
      'insufficient_storage',
      `${action} refused: the server's data disk has ${mib(free)} MiB free, under its ${mib(this.minFreeBytes)} MiB minimum (PADDOCK_MIN_FREE_DISK_MB); free space on the server and try again`,
      { errorCode: 'insufficient_storage', details: { free_bytes: free, min_free_bytes: this.minFreeBytes } },
    );
  }
}

/** The guard a server builds from its configuration (the data dir's filesystem, or a test's reader). */
export function lowDiskGuard(options: {
  dataDir: string;
  minFreeDiskBytes: number;
  freeDiskBytes?: FreeDiskReader | undefined;
}): LowDiskGuard {
  return new LowDiskGuard(
    options.freeDiskBytes ?? statfsFreeBytes(options.dataDir),
    options.minFreeDiskBytes,
  );
}
