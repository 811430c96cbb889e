import { join } from 'node:path';
import type { PaddockConfig } from '../config/config.js';
import type { Store } from '../core/ports/store.js';
import type { WorkspaceSnapshots } from '../core/ports/workspace-snapshots.js';
import { createFileBlobStore } from '../file-blobs/create-file-blob-store.js';
import { BlobWorkspaceSnapshots } from '../sandbox/snapshots/workspace-snapshots.js';
import { fileBlobOptions } from './adapter-options.js';

/** Without a disk quota to bound it, a workspace over this is not snapshotted. */
const DEFAULT_MAX_BYTES = 10 * 1024 ** 3;

/**
 * Part of the composition root: it picks the blob adapter for the sandbox's snapshots.
 * Snapshots go to the same blob storage as Files API bytes (PADDOCK_FILE_STORAGE: disk,
 * database or S3), with local files under `<dataDir>/snapshots`; undefined when
 * PADDOCK_WORKSPACE_SNAPSHOTS=false.
 */
export function createWorkspaceSnapshots(
  config: PaddockConfig,
  store: Store,
  log: (message: string) => void,
): WorkspaceSnapshots | undefined {
  if (config.workspaceSnapshots === false) return undefined;
  // The largest disk quota an environment may have bounds every workspace.
  const quota = (config.sandbox.maxLimits as { diskBytes?: number }).diskBytes;
  return new BlobWorkspaceSnapshots({
    repository: store.workspaceSnapshots,
    blobs: createFileBlobStore(fileBlobOptions(config), store, 'snapshots'),
    stateDir: join(config.dataDir, 'sandbox-state'),
    stageDir: join(config.dataDir, 'snapshots'),
    maxBytes: quota ?? DEFAULT_MAX_BYTES,
    restoreOwners: process.getuid?.() === 0,
    log,
  });
}
