import type { SandboxDriver } from '../core/ports/sandbox.js';
import type { WorkspaceSnapshots } from '../core/ports/workspace-snapshots.js';
import { createBwrapDriver } from './bwrap/bwrap-driver.js';
import type { OnOutputs } from './outputs/output-collector.js';
import { createProcessDriver } from './process/process-driver.js';
import type { SandboxSettings } from './sandbox-settings.js';

export interface CreateSandboxDriverOptions {
  log?: (message: string) => void;
  /** Receives files a session's sandbox wrote under /mnt/session/outputs (new or changed only). */
  onOutputs?: OnOutputs | undefined;
  /** Portable workspaces: restored before a sandbox's first tool call, saved at each turn's end. */
  snapshots?: WorkspaceSnapshots | undefined;
}

/** Picks the driver named by `PADDOCK_SANDBOX` (`bwrap` by default). */
export async function createSandboxDriver(
  config: SandboxSettings,
  options: CreateSandboxDriverOptions = {},
): Promise<SandboxDriver> {
  const name = config.sandboxDriver ?? 'bwrap';
  switch (name) {
    case 'bwrap':
      return createBwrapDriver(config, options);
    case 'process':
      return createProcessDriver(config, options);
    default:
      throw new Error(
        `PADDOCK_SANDBOX: unknown sandbox driver ${JSON.stringify(name)} (expected bwrap or process)`,
      );
  }
}
