import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type InsideSpawner, killGroup } from './inside.js';

export const BASH_OUTPUT_LIMIT = 100 * 1024;
// Terminal colour/cursor sequences, built from a string so the ESC byte is explicit.
const ANSI = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;?]*[ -/]*[@-~]`, 'g');

export type BashResult =
  | { kind: 'done'; output: string; exitCode: number }
  /** The shell itself ended (e.g. `exit 3`); the next call starts a new one. */
  | { kind: 'shell-exited'; output: string; exitCode: number }
  | { kind: 'timeout' | 'aborted'; output: string };

/**
 * One persistent `bash --norc --noprofile` over pipes (no PTY, so nothing is
 * echoed). Each command is framed by a random per-call marker that carries
 * its exit code. The command travels as an ANSI-C quoted string run by
 * `eval`, so an unbalanced quote or brace is a syntax error with an exit code
 * instead of a shell that waits for more input until the timeout.
 */
export class BashSession {
  private readonly child: ChildProcess;
  private buffer = '';
  private truncated = false;
  private exited = false;
  private exitCode = 0;
  private wake: (() => void) | undefined;

  constructor(inside: InsideSpawner) {
    this.child = inside.spawn(['/bin/bash', '--norc', '--noprofile']);
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (data: string) => this.append(data));
    this.child.stderr?.on('data', (data: string) => this.append(data));
    this.child.stdin?.on('error', () => {});
    this.child.on('error', () => this.onExit(127));
    this.child.on('close', (code, signal) => this.onExit(code ?? (signal ? 137 : 1)));
  }

  get alive(): boolean {
    return !this.exited;
  }

  async run(command: string, timeoutMs: number, signal?: AbortSignal): Promise<BashResult> {
    this.buffer = '';
    this.truncated = false;
    const marker = `__PADDOCK_${randomUUID().replaceAll('-', '')}__`;
    // Split so the literal marker never appears in what we write to stdin.
    const split = `${marker.slice(0, 9)}''${marker.slice(9)}`;
    // One line, no braces: after a syntax error inside a `{ }` group bash's
    // parser stays confused, while a plain `eval` recovers cleanly.
    this.child.stdin?.write(`eval ${ansiQuote(command)} </dev/null 2>&1; printf '\\n${split}%d\\n' $?\n`);
    const outcome = await this.waitFor(marker, timeoutMs, signal);
    const index = this.buffer.indexOf(marker);
    if (index >= 0) {
      const code = Number(/^(-?\d+)/.exec(this.buffer.slice(index + marker.length))?.[1] ?? '-1');
      return { kind: 'done', output: this.clean(this.buffer.slice(0, index)), exitCode: code };
    }
    const output = this.clean(this.buffer);
    if (outcome === 'exited') return { kind: 'shell-exited', output, exitCode: this.exitCode };
    this.close();
    return { kind: outcome === 'aborted' ? 'aborted' : 'timeout', output };
  }

  /** Kills the shell and everything it started in its process group. */
  close(): void {
    if (!this.exited) killGroup(this.child);
    this.onExit(137);
    this.child.stdin?.destroy();
  }

  private waitFor(
    marker: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<'marker' | 'exited' | 'timeout' | 'aborted'> {
    if (this.exited) return Promise.resolve('exited');
    return new Promise((resolve) => {
      const finish = (why: 'marker' | 'exited' | 'timeout' | 'aborted') => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(why);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) return finish('aborted');
      this.wake = () => {
        if (this.buffer.includes(marker)) finish('marker');
        else if (this.exited) finish('exited');
      };
      this.wake();
    });
  }

  private append(data: string): void {
    this.buffer += data;
    // Keep a little more than the limit so a marker at the end is never cut.
    if (this.buffer.length > BASH_OUTPUT_LIMIT + 128) {
      this.buffer = this.buffer.slice(this.buffer.length - BASH_OUTPUT_LIMIT - 128);
      this.truncated = true;
    }
    this.wake?.();
  }

  private onExit(code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    this.wake?.();
  }

  private clean(raw: string): string {
    let out = raw.replace(ANSI, '').replace(/\n+$/, '');
    let truncated = this.truncated;
    if (out.length > BASH_OUTPUT_LIMIT) {
      out = out.slice(out.length - BASH_OUTPUT_LIMIT);
      truncated = true;
    }
    return truncated ? `[output truncated]\n${out}` : out;
  }
}

/** Bash `$'…'` quoting: exact bytes, no expansion, newlines and control characters escaped. */
export function ansiQuote(value: string): string {
  let out = "$'";
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === "'") out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}'`;
}
