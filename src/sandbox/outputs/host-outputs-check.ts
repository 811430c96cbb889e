import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A cheap host-side look at the session's overlay upper directory, so a turn
 * that wrote no outputs skips the in-sandbox scan (a process spawned inside
 * the sandbox, ~10 ms). It only lstats directories and lists names, never
 * follows a link or reads a file: any symlink, whiteout or other surprise on
 * the way answers "maybe", and the scan inside the sandbox decides as before.
 * New outputs live in the upper directory only: no lower layer holds any.
 */
export async function outputsMayExist(upper: string, outputsDir: string): Promise<boolean> {
  let path = upper;
  for (const part of outputsDir.split('/').filter(Boolean)) {
    path = join(path, part);
    try {
      if (!(await lstat(path)).isDirectory()) return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  }
  try {
    return (await readdir(path)).length > 0;
  } catch {
    return true;
  }
}
