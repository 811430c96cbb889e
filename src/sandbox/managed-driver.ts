import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isPaddockError } from '../core/errors.js';
import type {
  Sandbox,
  SandboxDriver,
  SandboxSpec,
  ToolCallContext,
  ToolOutcome,
} from '../core/ports/sandbox.js';
import type { RestoreOutcome } from '../core/ports/workspace-snapshots.js';
import type { ManagedDriverOptions, OutputsOptions, SnapshotOptions } from './managed-options.js';
import { OutputCollector } from './outputs/output-collector.js';
import {
  forgetMemoryMounts,
  pushMemoryMounts,
  refreshMemoryMounts,
  withMemoryNote,
} from './resources/memory-dirs.js';
import { DEFAULT_MAX_SHELLS } from './tools/bash-shells.js';
import type { InsideSpawner } from './tools/inside.js';
import { ToolRunner } from './tools/tool-runner.js';

export {
  type ManagedDriverOptions,
  managedOptions,
  type OutputsOptions,
  type SnapshotOptions,
} from './managed-options.js';

/** One started sandbox instance, as a backend hands it out. */
export interface RunningSandbox {
  readonly inside: InsideSpawner;
  /** False once its processes are gone (killed, crashed, stopped). */
  readonly alive: boolean;
  /** The session outputs directory (`/mnt/session/outputs`) as paths inside this sandbox name it. */
  readonly outputsDir: string;
  /** Kills the whole process tree; the session's files stay. */
  stop(): Promise<void>;
  /** False when a host-side look shows no outputs at all, so the in-sandbox scan can be skipped. */
  outputsMayExist?(): Promise<boolean>;
}

/** What the shared layer may do while a backend starts a sandbox. */
export interface StartHooks {
  /**
   * Processes can be spawned inside, but the sandbox's network is not attached yet: start-up work
   * that needs no network (the shell) overlaps with the attach. Nothing may run a command yet.
   */
  spawnable?(inside: InsideSpawner): void;
  /**
   * The session's writable layer exists on the host (`dir`: the overlay upper) and nothing runs
   * yet: the moment to bring its files back from a snapshot.
   */
  prepared?(dir: string): Promise<void>;
}

/** What a driver implements; lifecycle, idle stop and tool dispatch are shared. */
export interface SandboxBackend {
  readonly name: string;
  start(spec: SandboxSpec, hooks?: StartHooks): Promise<RunningSandbox>;
  removeFiles(sessionId: string): Promise<void>;
  /** SandboxDriver.expect for a session with no sandbox here yet. */
  expect?(spec: SandboxSpec): void;
  close?(): Promise<void>;
}

/** Tools that can change files; read, glob and grep cannot, so they skip the outputs scan. */
const MUTATING_TOOLS = new Set(['bash', 'write', 'edit']);

const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function createManagedDriver(backend: SandboxBackend, options: ManagedDriverOptions): SandboxDriver {
  const sandboxes = new Map<string, ManagedSandbox>();
  return {
    name: backend.name,
    async acquire(spec) {
      if (!SESSION_ID.test(spec.sessionId))
        throw new Error(`invalid session id ${JSON.stringify(spec.sessionId)}`);
      let sandbox = sandboxes.get(spec.sessionId);
      if (!sandbox) {
        sandbox = new ManagedSandbox(
          spec,
          backend,
          options.idleTimeoutMs,
          collectorFor(spec.sessionId, options),
          options.snapshots,
          spec.limits?.shells ?? options.shells,
        );
        sandboxes.set(spec.sessionId, sandbox);
      }
      await sandbox.ensureStarted();
      return sandbox;
    },
    provisioned(sessionId) {
      return sandboxes.get(sessionId);
    },
    expect(spec) {
      if (!sandboxes.has(spec.sessionId)) backend.expect?.(spec);
    },
    async flushOutputs(sessionId) {
      // The end of a turn: outputs become Files, and changed files go to the workspace snapshot.
      const sandbox = sandboxes.get(sessionId);
      await sandbox?.flushOutputs();
      await sandbox?.snapshot();
    },
    async snapshotAll() {
      for (const sandbox of sandboxes.values()) await sandbox.snapshot();
    },
    async destroy(sessionId) {
      if (!SESSION_ID.test(sessionId)) throw new Error(`invalid session id ${JSON.stringify(sessionId)}`);
      const sandbox = sandboxes.get(sessionId);
      sandboxes.delete(sessionId);
      await sandbox?.stop();
      await backend.removeFiles(sessionId);
      forgetMemoryMounts(sessionId);
      await options.snapshots?.store.delete(sessionId);
      if (options.outputs) await rm(manifestPath(options.outputs, sessionId), { force: true });
    },
    async close() {
      const all = [...sandboxes.values()];
      sandboxes.clear();
      await Promise.all(all.map((sandbox) => sandbox.stop()));
      await backend.close?.();
    },
  };
}

function manifestPath(outputs: OutputsOptions, sessionId: string): string {
  return join(outputs.stateDir, `${sessionId}.outputs.json`);
}

function collectorFor(sessionId: string, options: ManagedDriverOptions): OutputCollector | undefined {
  const outputs = options.outputs;
  if (!outputs) return undefined;
  return new OutputCollector(sessionId, {
    onOutputs: outputs.onOutputs,
    manifestPath: manifestPath(outputs, sessionId),
    maxFileBytes: outputs.maxFileBytes,
    maxSessionBytes: outputs.maxSessionBytes,
    log: outputs.log,
  });
}

/**
 * A stable per-session handle. It restarts its instance on demand, so a
 * handle kept by the harness keeps working after an idle stop or a crash,
 * with the same files.
 */
class ManagedSandbox implements Sandbox {
  /** A mutating tool ran since the last outputs scan. */
  private outputsDirty = false;
  private running: RunningSandbox | undefined;
  private starting: Promise<RunningSandbox> | undefined;
  private readonly runner: ToolRunner;
  private idleTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  /** The host directory snapshots read (the overlay upper), known once a start prepared it. */
  private workspaceDir: string | undefined;
  /** A mutating tool ran since the last snapshot. */
  private snapshotDirty = false;
  /** Told to the model in the next tool result: its earlier files could not be restored. */
  private resetNote: string | undefined;

  constructor(
    private readonly spec: SandboxSpec,
    private readonly backend: SandboxBackend,
    private readonly idleTimeoutMs: number,
    private readonly outputs: OutputCollector | undefined,
    private readonly snapshots?: SnapshotOptions | undefined,
    shells: number = DEFAULT_MAX_SHELLS,
  ) {
    this.runner = new ToolRunner(() => this.current(), shells);
  }

  get sessionId(): string {
    return this.spec.sessionId;
  }

  async ensureStarted(): Promise<RunningSandbox> {
    if (this.running?.alive) return this.running;
    if (this.running) {
      this.runner.close(); // crashed: the old shell is gone with it
      // Its egress, cgroup and disk mount outlived it; the new instance makes its own.
      void this.running.stop().catch(() => {});
    }
    this.running = undefined;
    this.starting ??= this.backend
      .start(this.spec, {
        spawnable: (inside) => this.runner.prewarm(inside),
        prepared: (dir) => this.prepareWorkspace(dir),
      })
      .catch((error: unknown) => {
        this.runner.close(); // a shell started early died with the failed sandbox
        throw error;
      })
      .finally(() => {
        this.starting = undefined;
      });
    this.running = await this.starting;
    this.armIdleTimer();
    return this.running;
  }

  async runTool(
    name: string,
    input: Record<string, unknown>,
    signal: AbortSignal,
    context?: ToolCallContext,
  ): Promise<ToolOutcome> {
    this.inFlight++;
    clearTimeout(this.idleTimer);
    try {
      const running = await this.ensureStarted();
      // Memory mounts show every session's latest writes, and the agent's go back after the call.
      await refreshMemoryMounts(this.spec);
      const ran = await this.runner.run(name, input, signal, context?.threadId);
      const outcome = withMemoryNote(ran, await pushMemoryMounts(this.spec));
      // Scanning outputs spawns a process inside the sandbox; do it once per turn (flushOutputs), not per call.
      if (MUTATING_TOOLS.has(name) && running.alive) this.outputsDirty = true;
      if (MUTATING_TOOLS.has(name)) this.snapshotDirty = true;
      return this.withResetNote(outcome);
    } catch (error) {
      // Refusals the harness reports to the client as well (low disk) are not a broken sandbox.
      if (isPaddockError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return this.withResetNote({
        content: [{ type: 'text', text: `${name}: sandbox unavailable: ${message}` }],
        isError: true,
      });
    } finally {
      this.inFlight--;
      this.armIdleTimer();
    }
  }

  closeThread(threadId: string): void {
    this.runner.closeThread(threadId);
  }

  async flushOutputs(): Promise<void> {
    const running = this.running;
    if (!this.outputsDirty || !running?.alive) return;
    this.outputsDirty = false;
    if (running.outputsMayExist && !(await running.outputsMayExist())) return;
    await this.outputs?.collect(running.inside, running.outputsDir);
  }

  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    const running = this.running ?? (await this.starting?.catch(() => undefined));
    this.running = undefined;
    const mayExist = (await running?.outputsMayExist?.()) ?? true;
    if (running?.alive && mayExist) await this.outputs?.collect(running.inside, running.outputsDir);
    // Before the instance goes: its layer may be a disk that is unmounted with it.
    if (running) await this.snapshot();
    this.runner.close();
    await running?.stop();
  }

  /** Saves what changed since the last snapshot; nothing at all when no mutating tool ran. */
  async snapshot(): Promise<void> {
    const dir = this.workspaceDir;
    if (!this.snapshots || !this.snapshotDirty || !dir) return;
    this.snapshotDirty = false;
    try {
      const outcome = await this.snapshots.store.save(this.spec.sessionId, dir);
      if (outcome.type === 'skipped')
        this.snapshots.log(
          `paddock: workspace snapshot of ${this.spec.sessionId} skipped: ${outcome.reason}`,
        );
    } catch (error) {
      this.snapshotDirty = true; // try again at the next turn's end
      const message = error instanceof Error ? error.message : String(error);
      this.snapshots.log(`paddock: workspace snapshot of ${this.spec.sessionId} failed: ${message}`);
    }
  }

  private async prepareWorkspace(dir: string): Promise<void> {
    this.workspaceDir = dir;
    if (!this.snapshots) return;
    const outcome: RestoreOutcome = await this.snapshots.store.restore(this.spec.sessionId, dir);
    if (outcome.type === 'lost')
      this.resetNote =
        `[paddock] This session's sandbox was reset: files written in earlier turns could not be restored ` +
        `because ${outcome.reason}. The workspace starts empty; recreate what you need.`;
  }

  /** A reset is never silent: the model reads it with the first result after it. */
  private withResetNote(outcome: ToolOutcome): ToolOutcome {
    const note = this.resetNote;
    if (!note) return outcome;
    this.resetNote = undefined;
    return { ...outcome, content: [{ type: 'text', text: note }, ...outcome.content] };
  }

  private current(): InsideSpawner {
    if (!this.running) throw new Error('sandbox is not running');
    return this.running.inside;
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    if (this.idleTimeoutMs <= 0 || this.inFlight > 0) return;
    this.idleTimer = setTimeout(() => void this.stop(), this.idleTimeoutMs);
    this.idleTimer.unref();
  }
}
