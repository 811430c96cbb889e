import { BashSession } from './bash-session.js';
import type { InsideSpawner } from './inside.js';
import { ToolError } from './tool-error.js';

export const BASH_DEFAULT_TIMEOUT_MS = 120_000;

/**
 * The `bash` tool for one session thread: one persistent shell, calls
 * serialised so two commands never interleave on its stdin (each thread has
 * its own: bash-shells.ts). A timeout or abort kills the shell's process
 * group; the next call gets a fresh shell (as the SDK's toolset does).
 */
export class BashTool {
  private session: BashSession | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly inside: () => InsideSpawner) {}

  run(input: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    const next = this.queue.then(() => this.runNow(input, signal));
    this.queue = next.catch(() => {});
    return next;
  }

  prewarm(inside: InsideSpawner): void {
    if (!this.session?.alive) this.session = new BashSession(inside);
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  private async runNow(input: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    const { command, restart, timeout_ms: timeout } = input;
    if (command !== undefined && typeof command !== 'string')
      throw new ToolError('bash: command must be a string');
    if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0))
      throw new ToolError('bash: timeout_ms must be a positive integer');
    if (restart === true) this.close();
    if (!command) {
      if (restart === true) return 'bash session restarted';
      throw new ToolError('bash: command is required');
    }
    if (!this.session?.alive) this.session = new BashSession(this.inside());
    const timeoutMs = typeof timeout === 'number' ? timeout : BASH_DEFAULT_TIMEOUT_MS;
    const result = await this.session.run(command, timeoutMs, signal);
    switch (result.kind) {
      case 'done':
        if (result.exitCode !== 0) throw new ToolError(result.output || `exit ${result.exitCode}`);
        return result.output;
      case 'shell-exited':
        this.session = undefined;
        throw new ToolError(result.output || `exit ${result.exitCode}`);
      case 'timeout':
        this.session = undefined;
        throw new ToolError(withOutput(`bash: bash command timed out after ${timeoutMs}ms`, result.output));
      case 'aborted':
        this.session = undefined;
        throw new ToolError(withOutput('bash: aborted', result.output));
    }
  }
}

function withOutput(message: string, output: string): string {
  return output ? `${message}\n${output}` : message;
}
