import { join } from 'node:path';
import type { FileStorage, S3Config } from '../config/blob-storage.js';
import type { FileBlobStore } from '../core/ports/file-blobs.js';
import type { Store } from '../core/ports/store.js';
import { DatabaseFileBlobStore } from './database/database-file-blobs.js';
import { DiskFileBlobStore } from './disk/disk-file-blobs.js';
import { createLazyS3FileBlobStore } from './s3/lazy-s3-file-blobs.js';

/**
 * PADDOCK_FILE_STORAGE picks where bytes live; every store keeps local files under
 * `<dataDir>/<directory>`: Files API bytes under `files`, workspace snapshots under `snapshots`.
 */
export interface FileBlobSettings {
  /** disk, database or s3 (PADDOCK_FILE_STORAGE). */
  fileStorage: FileStorage;
  dataDir: string;
  /** The bucket, for `s3` (PADDOCK_BLOB_URL, PADDOCK_S3_*). */
  s3?: S3Config | undefined;
}

export function createFileBlobStore(
  config: FileBlobSettings,
  store: Store,
  directory = 'files',
): FileBlobStore {
  const local = join(config.dataDir, directory);
  switch (config.fileStorage) {
    case 'database':
      return new DatabaseFileBlobStore(store, local);
    case 's3':
      if (!config.s3) throw new Error('PADDOCK_FILE_STORAGE=s3 needs PADDOCK_BLOB_URL=s3://bucket/prefix');
      return createLazyS3FileBlobStore(config.s3, local);
    default:
      return new DiskFileBlobStore(local);
  }
}
