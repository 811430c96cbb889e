import { type InsideSpawner, killGroup } from './inside.js';
import { ToolError } from './tool-error.js';

export interface ScriptResult {
  code: number;
  stdout: Buffer;
  stderr: string;
  /** stdout went past `maxStdout`; the process was killed and stdout cut there. */
  truncated: boolean;
}

export interface ScriptOptions {
  stdin?: string | Buffer;
  timeoutMs: number;
  maxStdout?: number;
  signal?: AbortSignal;
  /** Prefix for timeout/abort messages, e.g. `grep`. */
  tool: string;
}

/**
 * Runs `bash -c script` inside the sandbox with positional `args` (never
 * interpolated into the script, so paths cannot inject shell code).
 */
export function runScript(
  inside: InsideSpawner,
  script: string,
  args: string[],
  options: ScriptOptions,
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = inside.spawn(['/bin/bash', '--norc', '--noprofile', '-c', script, 'paddock', ...args]);
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let stderr = '';
    let failure: ToolError | undefined;
    const limit = options.maxStdout ?? Number.POSITIVE_INFINITY;
    const fail = (message: string) => {
      failure ??= new ToolError(message);
      killGroup(child);
    };
    const timer = setTimeout(
      () => fail(`${options.tool}: timed out after ${options.timeoutMs / 1000}s`),
      options.timeoutMs,
    );
    const onAbort = () => fail(`${options.tool}: aborted`);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (truncated) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        truncated = true;
        killGroup(child);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => fail(`${options.tool}: could not start: ${error.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      let stdout = Buffer.concat(chunks);
      if (truncated) stdout = stdout.subarray(0, limit);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, truncated });
    });
    child.stdin?.on('error', () => {}); // the script may exit before reading all of stdin
    child.stdin?.end(options.stdin ?? '');
    if (options.signal?.aborted) onAbort();
  });
}
