import type { ToolOutcome } from '../../core/ports/sandbox.js';
import { BashShells, DEFAULT_MAX_SHELLS } from './bash-shells.js';
import { editTool, readTool, writeTool } from './file-tools.js';
import type { InsideSpawner } from './inside.js';
import { globTool, grepTool } from './search-tools.js';
import { ToolError } from './tool-error.js';

/**
 * Runs the built-in tools against one sandbox. Output strings follow the
 * SDK's Node toolset (spec §6.4) so the model sees the same text whichever
 * side runs the tool.
 */
export class ToolRunner {
  private readonly bash: BashShells;

  constructor(
    private readonly inside: () => InsideSpawner,
    maxShells: number = DEFAULT_MAX_SHELLS,
  ) {
    this.bash = new BashShells(inside, maxShells);
  }

  /** `threadId`: the session thread calling (its own shell); undefined for the primary thread. */
  async run(
    name: string,
    input: Record<string, unknown>,
    signal: AbortSignal,
    threadId?: string,
  ): Promise<ToolOutcome> {
    try {
      const output = await this.dispatch(name, input ?? {}, signal, threadId);
      return { content: [{ type: 'text', text: output === '' ? '(no output)' : output }], isError: false };
    } catch (error) {
      const message = error instanceof ToolError ? error.message : `${name}: ${errorMessage(error)}`;
      return { content: [{ type: 'text', text: message }], isError: true };
    }
  }

  /** Starts the primary thread's shell ahead of the first bash call (it only waits for commands). */
  prewarm(inside: InsideSpawner): void {
    this.bash.prewarm(inside);
  }

  /** Ends one thread's shell (the thread ended). */
  closeThread(threadId: string): void {
    this.bash.closeThread(threadId);
  }

  /** Ends every shell (their process groups); the next bash call starts a new one. */
  close(): void {
    this.bash.close();
  }

  private dispatch(
    name: string,
    input: Record<string, unknown>,
    signal: AbortSignal,
    threadId: string | undefined,
  ): Promise<string> {
    if (signal.aborted) throw new ToolError(`${name}: aborted`);
    switch (name) {
      case 'bash':
        return this.bash.run(threadId, input, signal);
      case 'read':
        return readTool(this.inside(), input);
      case 'write':
        return writeTool(this.inside(), input);
      case 'edit':
        return editTool(this.inside(), input);
      case 'glob':
        return globTool(this.inside(), input);
      case 'grep':
        return grepTool(this.inside(), input, signal);
      default:
        throw new ToolError(`unknown tool: ${name}`);
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
