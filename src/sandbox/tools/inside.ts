import type { ChildProcess } from 'node:child_process';
import { HelperChild } from '../spawn-helper/helper-child.js';

/**
 * How a driver starts a process inside one running sandbox. The tools never
 * touch the host filesystem: every file operation is a small command run
 * through this, so paths (and symlinks) resolve in the sandbox's own root.
 */
export interface InsideSpawner {
  /** The working directory as the sandbox sees it (where bash starts, and what relative paths mean). */
  readonly workdir: string;
  /**
   * Starts `argv` inside the sandbox with stdio pipes, a minimal environment
   * and cwd = workdir. The host-side child must lead its own process group so
   * `process.kill(-pid)` ends it and everything it started.
   */
  spawn(argv: string[]): ChildProcess;
}

/** Kills a spawned child's whole host process group; tolerant of already-dead groups. */
export function killGroup(child: ChildProcess): void {
  // A child of the spawn helper may not know its pid yet: it kills the group as soon as it does.
  if ((child as unknown) instanceof HelperChild) {
    (child as unknown as HelperChild).killGroup('SIGKILL');
    return;
  }
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
