import { join } from 'node:path';
import type { WorkspaceSnapshots } from '../core/ports/workspace-snapshots.js';
import type { OnOutputs } from './outputs/output-collector.js';
import type { SandboxSettings } from './sandbox-settings.js';

/** How the shared managed driver (managed-driver.ts) runs a backend's sandboxes. */
export interface ManagedDriverOptions {
  /** Stop a sandbox after this long without a tool call; 0 disables. */
  idleTimeoutMs: number;
  /** Hands files written under the outputs directory over after each mutating tool call and at stop. */
  outputs?: OutputsOptions | undefined;
  /** Portable workspaces: restored before a sandbox's first tool call, saved at turn end and stop. */
  snapshots?: SnapshotOptions | undefined;
  /** Shells per sandbox when its spec sets none (PADDOCK_SANDBOX_SHELLS; the environment's `paddock.shells`). */
  shells?: number | undefined;
}

export interface SnapshotOptions {
  store: WorkspaceSnapshots;
  log: (message: string) => void;
}

export interface OutputsOptions {
  onOutputs: OnOutputs;
  /** Host directory for per-session bookkeeping (what was already handed over). */
  stateDir: string;
  maxFileBytes: number;
  /** Bytes of outputs one session may store in all (PADDOCK_SESSION_OUTPUT_MAX_MB). */
  maxSessionBytes: number;
  log: (message: string) => void;
}

/** The managed-driver options every backend derives from the server config the same way. */
export function managedOptions(
  config: SandboxSettings,
  onOutputs: OnOutputs | undefined,
  log: (message: string) => void,
  snapshots?: WorkspaceSnapshots | undefined,
): ManagedDriverOptions {
  return {
    idleTimeoutMs: config.sandbox.idleTimeoutMs,
    shells: config.sandbox.limits.shells,
    snapshots: snapshots && { store: snapshots, log },
    outputs: onOutputs && {
      onOutputs,
      stateDir: join(config.dataDir, 'sandbox-state'),
      maxFileBytes: config.maxUploadBytes,
      maxSessionBytes: config.sandbox.sessionOutputMaxBytes,
      log,
    },
  };
}
