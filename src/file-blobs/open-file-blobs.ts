import { join } from 'node:path';
import type { PaddockConfig } from '../config/config.js';
import type { FileBlobStore } from '../core/ports/file-blobs.js';
import type { Store } from '../core/ports/store.js';
import { DatabaseFileBlobStore } from './database/database-file-blobs.js';
import { DiskFileBlobStore } from './disk/disk-file-blobs.js';

/** PADDOCK_FILE_STORAGE picks where file bytes live; both keep local files under `<dataDir>/files`. */
export function openFileBlobs(
  config: Pick<PaddockConfig, 'fileStorage' | 'dataDir'>,
  store: Store,
): FileBlobStore {
  const directory = join(config.dataDir, 'files');
  return config.fileStorage === 'database'
    ? new DatabaseFileBlobStore(store, directory)
    : new DiskFileBlobStore(directory);
}
