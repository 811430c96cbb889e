import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../support/paddock-process.js';

const ENTRY = fileURLToPath(new URL('../support/serve-entry.ts', import.meta.url));

/** `paddock <args>` from source in a child process, with piped stdin (no terminal, as in CI). */
export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves once the output matches (or rejects when the process ends first). */
  waitFor(pattern: RegExp): Promise<void>;
  /** The exit code (a signal counts as 128 + its number). */
  exited: Promise<number>;
}

export function startCli(args: string[], env: Record<string, string>, stdin?: string): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: childEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const watchers: Array<() => void> = [];
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const watcher of [...watchers]) watcher();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  if (stdin !== undefined) child.stdin?.end(stdin);
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1))),
  );
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(text)) return;
          watchers.splice(watchers.indexOf(check), 1);
          resolve();
        };
        watchers.push(check);
        check();
        void exited.then(() => {
          if (!pattern.test(text)) reject(new Error(`exited before ${pattern}:\n${text}`));
        });
      });
    },
  };
}

/** Runs `paddock <args>` to the end. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<{ code: number; output: string }> {
  const cli = startCli(args, env, stdin);
  const code = await cli.exited;
  return { code, output: cli.output() };
}

/**
 * Runs `paddock <args>` in this process (the same `main` the binary calls),
 * capturing what it writes: much faster than a child on a loaded machine,
 * for commands that neither read stdin nor need signals. Pass the server
 * with --base-url/--api-key: this process's environment is not the child's.
 */
export async function runInProcess(args: string[]): Promise<{ code: number; output: string }> {
  const { main } = await import('../../src/cli/main.js');
  let output = '';
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  // The CLI writes text. Bytes are the test runner's own reports (node:test serializes them to
  // this process's stdout while the command runs): they pass through, or they would both corrupt
  // the output read here and go missing from the report.
  const capture =
    (original: typeof stdout) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      if (typeof chunk !== 'string') return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      output += chunk;
      return true;
    };
  process.stdout.write = capture(stdout) as typeof process.stdout.write;
  process.stderr.write = capture(stderr) as typeof process.stderr.write;
  try {
    const code = await main(args).catch((error: unknown) => {
      output += `paddock: ${error instanceof Error ? error.message : String(error)}\n`;
      return 1;
    });
    return { code, output };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}
