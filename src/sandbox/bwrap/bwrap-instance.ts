import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { RunningSandbox, StartHooks } from '../managed-driver.js';
import type { SandboxEgress } from '../network/sandbox-egress.js';
import { outputsMayExist } from '../outputs/host-outputs-check.js';
import { spawnInHelper, startTimeout } from '../spawn-helper/spawn-helper.js';
import { type InsideSpawner, killGroup } from '../tools/inside.js';
import { buildEnter, type Launch, OUTPUTS_DIR, READY_LINE, WORKDIR } from './bwrap-launch.js';
import type { SessionCgroup } from './cgroups.js';

const START_TIMEOUT_MS = 15_000;

/** One running bwrap sandbox: a sleeping pid 1 that tools join with nsenter. */
export class BwrapInstance implements RunningSandbox, InsideSpawner {
  readonly workdir = WORKDIR;
  readonly outputsDir = OUTPUTS_DIR;
  private exited = false;

  private constructor(
    private readonly outer: ChildProcess,
    private readonly childPid: number,
    private readonly cgroup: SessionCgroup | undefined,
    private readonly egress: SandboxEgress | undefined,
    private hostUpper: string | undefined,
  ) {
    outer.once('close', () => {
      this.exited = true;
    });
  }

  /** `egress` (limited networking) is attached once the sandbox runs, and closed with it. */
  static async start(
    launch: Launch,
    cgroup: SessionCgroup | undefined,
    egress?: SandboxEgress | undefined,
    /** The session layer's overlay upper directory, when the root is an overlay. */
    hostUpper?: string | undefined,
    hooks?: StartHooks | undefined,
  ): Promise<BwrapInstance> {
    const [file, ...args] = launch.argv;
    // Forked by the spawn helper, off this event loop (decision 0027); --die-with-parent ties it to the helper.
    const outer = spawnInHelper(file!, args, {
      env: launch.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    try {
      const childPid = await readChildPid(outer);
      const instance = new BwrapInstance(outer, childPid, cgroup, egress, hostUpper);
      hooks?.spawnable?.(instance);
      await egress?.attach({ pid: childPid, cgroupProcs: cgroup?.procsFiles ?? [] });
      return instance;
    } catch (error) {
      killGroup(outer);
      await egress?.close();
      await cgroup?.destroy();
      throw error;
    }
  }

  outputsMayExist(): Promise<boolean> {
    return this.hostUpper ? outputsMayExist(this.hostUpper, OUTPUTS_DIR) : Promise.resolve(true);
  }

  /** A pooled sandbox handed to a session: its layer now lives at the session's path. */
  moveUpper(hostUpper: string): void {
    if (this.hostUpper) this.hostUpper = hostUpper;
  }

  /** Memory its processes hold (its cgroup); undefined without cgroups. */
  memoryBytes(): Promise<number | undefined> {
    return this.cgroup?.memoryBytes() ?? Promise.resolve(undefined);
  }

  get inside(): InsideSpawner {
    return this;
  }

  get alive(): boolean {
    return !this.exited;
  }

  spawn(argv: string[]): ChildProcess {
    const enter = buildEnter(this.childPid, this.cgroup?.procsFiles ?? [], argv, this.egress?.env);
    const [file, ...args] = enter.argv;
    return spawnInHelper(file!, args, { env: enter.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  }

  /** Kills bwrap (pid 1 inside dies with it, and the kernel ends the pid namespace), then the cgroup. */
  async stop(): Promise<void> {
    if (!this.exited) {
      const closed = new Promise((resolve) => this.outer.once('close', resolve));
      killGroup(this.outer);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    }
    this.exited = true;
    await this.egress?.close();
    await this.cgroup?.destroy();
  }
}

/**
 * bwrap writes `{"child-pid": N, …}` to --info-fd; the sandbox is usable once
 * its command has also printed READY_LINE (all mounts done).
 */
function readChildPid(outer: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let info = '';
    let stdout = '';
    let childPid: number | undefined;
    let ready = false;
    const settle = () => {
      if (childPid === undefined || !ready) return;
      cancelTimeout();
      resolve(childPid);
    };
    outer.stdout?.on('data', (chunk: Buffer) => {
      if (ready) return;
      stdout += chunk.toString('utf8');
      ready = stdout.includes(READY_LINE);
      settle();
    });
    let stderr = '';
    const fail = (message: string) => {
      cancelTimeout();
      reject(new Error(message));
    };
    const cancelTimeout = startTimeout(outer, START_TIMEOUT_MS, () =>
      fail('bwrap did not start within 15 s'),
    );
    outer.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    (outer.stdio[3] as Readable | null)?.on('data', (chunk: Buffer) => {
      info += chunk.toString('utf8');
      const match = /"child-pid"\s*:\s*(\d+)/.exec(info);
      if (match) childPid = Number(match[1]);
      settle();
    });
    outer.on('error', (error) => fail(`could not start bwrap: ${error.message}`));
    outer.on('close', (code) =>
      fail(`sandbox exited during start (code ${code}): ${stderr.trim() || 'no output'}`),
    );
  });
}
