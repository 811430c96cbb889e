import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxDriver } from '../../core/ports/sandbox.js';
import type { WorkspaceSnapshots } from '../../core/ports/workspace-snapshots.js';
import {
  createManagedDriver,
  managedOptions,
  type RunningSandbox,
  type SandboxBackend,
} from '../managed-driver.js';
import { placeholderEnv } from '../network/secret-egress.js';
import type { OnOutputs } from '../outputs/output-collector.js';
import { githubBaseCheck } from '../resources/git-base-address.js';
import { stageResources } from '../resources/stage-resources.js';
import type { SandboxSettings } from '../sandbox-settings.js';
import type { InsideSpawner } from '../tools/inside.js';

export interface ProcessDriverOptions {
  log?: (message: string) => void;
  onOutputs?: OnOutputs | undefined;
  snapshots?: WorkspaceSnapshots | undefined;
}

/** Where sandbox paths land: `/mnt/session/outputs` is `<workdir>/mnt/session/outputs`, and so on. */
const OUTPUTS = '/mnt/session/outputs';

/**
 * Development driver: tools run as plain host processes in a per-session
 * directory. Session resources appear at their mount path taken relative to
 * that directory (files are copied, 0444; repositories cloned), since there
 * is no private root to mount them in. It isolates NOTHING — a command can read the server's files and
 * reach the network — so it only starts when explicitly chosen.
 */
export function createProcessDriver(
  config: SandboxSettings,
  options: ProcessDriverOptions = {},
): SandboxDriver {
  if (config.sandboxDriver !== 'process') {
    throw new Error(
      'the process sandbox driver runs tools directly on the host with no isolation; ' +
        'it only starts when PADDOCK_SANDBOX=process is set explicitly (development only). ' +
        'Use the bwrap driver for anything else.',
    );
  }
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  log(
    'WARNING: PADDOCK_SANDBOX=process — sandboxes isolate nothing. Agent commands run as this ' +
      'server user with full access to its files and the network. Development only.',
  );
  const root = join(config.dataDir, 'sandboxes');
  const backend: SandboxBackend = {
    name: 'process',
    async start(spec, hooks) {
      const workdir = join(root, spec.sessionId);
      await mkdir(workdir, { recursive: true });
      await hooks?.prepared?.(workdir);
      await mkdir(join(workdir, OUTPUTS), { recursive: true });
      await stageResources(spec, {
        place: (sandboxPath) => join(workdir, sandboxPath),
        githubBaseUrl: config.sandbox.githubBaseUrl,
        githubBaseCheck: githubBaseCheck(config),
      });
      // Placeholders only, for parity with bwrap: there is no proxy here, so nothing is substituted.
      return new HostProcesses(workdir, placeholderEnv(spec.secrets));
    },
    async removeFiles(sessionId) {
      await rm(join(root, sessionId), { recursive: true, force: true });
    },
  };
  return createManagedDriver(backend, managedOptions(config, options.onOutputs, log, options.snapshots));
}

/** The "sandbox" is just a directory; stopping it kills the processes we started. */
class HostProcesses implements RunningSandbox, InsideSpawner {
  private readonly children = new Set<number>();
  private stopped = false;

  constructor(
    readonly workdir: string,
    private readonly env: Record<string, string> = {},
  ) {}

  get outputsDir(): string {
    return join(this.workdir, OUTPUTS);
  }

  get inside(): InsideSpawner {
    return this;
  }

  get alive(): boolean {
    return !this.stopped;
  }

  spawn(argv: string[]) {
    const [file, ...args] = argv;
    const child = spawn(file ?? '/bin/sh', args, {
      cwd: this.workdir,
      // Never the server's environment: no keys or secrets leak into tools.
      env: {
        ...this.env,
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: this.workdir,
        LANG: 'C.UTF-8',
        TERM: 'dumb',
        PS1: '',
        PS2: '',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) {
      this.children.add(pid);
      child.once('exit', () => this.children.delete(pid));
    }
    return child;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const pid of this.children) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.children.clear();
  }
}
