import type { ChildProcess } from 'node:child_process';
import type { RunningSandbox } from '../managed-driver.js';
import { type InsideSpawner, killGroup } from '../tools/inside.js';

/** What the bash tool's persistent shell is started with (tools/bash-session.ts). */
const SHELL_ARGV = ['/bin/bash', '--norc', '--noprofile'];

/**
 * A pool member's way in, with its persistent shell already started: a fresh `bash` that has run
 * nothing, started before any session existed. The first spawn of the same argv (the session's
 * shell) gets it; anything else, or a shell that died meanwhile, gets a new process as always.
 */
export class PrespawnedShell implements InsideSpawner {
  private shell: ChildProcess | undefined;

  constructor(private readonly inner: InsideSpawner) {
    const shell = inner.spawn(SHELL_ARGV);
    // Until the session's shell takes it over, nobody else listens.
    shell.on('error', () => {});
    shell.stdin?.on('error', () => {});
    this.shell = shell;
  }

  get workdir(): string {
    return this.inner.workdir;
  }

  spawn(argv: string[]): ChildProcess {
    const shell = this.shell;
    this.shell = undefined;
    const usable =
      shell?.pid !== undefined && shell.exitCode === null && shell.signalCode === null && sameArgv(argv);
    if (usable) return shell;
    if (shell) killGroup(shell);
    return this.inner.spawn(argv);
  }
}

function sameArgv(argv: string[]): boolean {
  return argv.length === SHELL_ARGV.length && argv.every((arg, index) => arg === SHELL_ARGV[index]);
}

/** The member as its session sees it: the same sandbox, entered through the pre-started shell. */
export function handedOut(running: RunningSandbox, inside: InsideSpawner): RunningSandbox {
  return {
    inside,
    get alive() {
      return running.alive;
    },
    outputsDir: running.outputsDir,
    stop: () => running.stop(),
    ...(running.outputsMayExist ? { outputsMayExist: () => running.outputsMayExist!() } : {}),
  };
}
