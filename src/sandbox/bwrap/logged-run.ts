import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { killGroup } from '../tools/inside.js';

/** After the kill, how long to wait for the pipes to close before giving up on them. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Runs argv in its own process group with stdout and stderr written to
 * `logPath`. Resolves to 0 or a description of how it ended; past `timeoutMs`
 * the group is killed and the outcome says so. It always resolves: a
 * descendant that escaped the group and still holds the log pipes open
 * cannot turn an expired build into a hang.
 */
export function runLogged(
  argv: string[],
  env: Record<string, string>,
  logPath: string,
  timeoutMs: number,
  /** Aborted: the group is killed and the outcome is `cancelled` (a stopping server). */
  signal?: AbortSignal,
): Promise<number | string> {
  return new Promise((resolve) => {
    const log = createWriteStream(logPath, { flags: 'w' });
    const [file, ...args] = argv;
    const child = spawn(file!, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    let timedOut = false;
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = (outcome: number | string) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', cancel);
      clearTimeout(timer);
      clearTimeout(grace);
      child.stdout.unpipe(log);
      child.stderr.unpipe(log);
      log.end(() => resolve(outcome));
    };
    const expired = () => `timed out after ${describeDuration(timeoutMs)}`;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
      grace = setTimeout(() => finish(expired()), CLOSE_GRACE_MS);
    }, timeoutMs);
    const cancel = () => {
      killGroup(child);
      finish('cancelled');
    };
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
    child.on('error', (error) => finish(`could not start: ${error.message}`));
    child.on('close', (code, signal) => {
      if (timedOut) finish(expired());
      else finish(code === 0 ? 0 : signal ? `killed by ${signal}` : `exit ${code ?? 'unknown'}`);
    });
  });
}

export function describeDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}
