import { BashTool } from './bash-tool.js';
import type { InsideSpawner } from './inside.js';
import { ToolError } from './tool-error.js';

/** Shells one sandbox may run at once when neither the environment nor the operator says (PADDOCK_SANDBOX_SHELLS). */
export const DEFAULT_MAX_SHELLS = 32;

/**
 * The `bash` shells of one sandbox: the primary thread's, and one per other
 * session thread, started at that thread's first `bash` call. Threads share
 * the sandbox (files, network, cgroup) but not a shell, so their commands run
 * at the same time and one thread's `cd` or `export` is not another's. Each
 * shell keeps `bash`'s own rules (calls in order, restart, a timeout kills it).
 */
export class BashShells {
  private readonly primary: BashTool;
  private readonly threads = new Map<string, BashTool>();

  constructor(
    private readonly inside: () => InsideSpawner,
    /** Shells at once, the primary thread's included (it is never refused). */
    private readonly maxShells: number,
  ) {
    this.primary = new BashTool(inside);
  }

  run(threadId: string | undefined, input: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    if (threadId === undefined) return this.primary.run(input, signal);
    let shell = this.threads.get(threadId);
    if (!shell) {
      // The primary thread's shell always has its place, started or not.
      if (this.threads.size + 1 >= this.maxShells)
        throw new ToolError(
          `bash: no shell for this thread: the sandbox already runs its limit of ${this.maxShells} shells ` +
            '(one per session thread using bash). A shell is freed when its thread finishes; try again ' +
            'then, or use the other tools meanwhile.',
        );
      shell = new BashTool(this.inside);
      this.threads.set(threadId, shell);
    }
    return shell.run(input, signal);
  }

  /** How many threads besides the primary hold a shell. */
  get threadShells(): number {
    return this.threads.size;
  }

  /** Starts the primary thread's shell ahead of its first call. */
  prewarm(inside: InsideSpawner): void {
    this.primary.prewarm(inside);
  }

  /** Ends one thread's shell and frees its place; a later call of that thread starts a new one. */
  closeThread(threadId: string): void {
    this.threads.get(threadId)?.close();
    this.threads.delete(threadId);
  }

  /** Ends every shell (the sandbox stops or crashed). */
  close(): void {
    this.primary.close();
    for (const shell of this.threads.values()) shell.close();
    this.threads.clear();
  }
}
