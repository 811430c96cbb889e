import type { S3Config } from '../../config/blob-storage.js';
import type { FileBlobSource, FileBlobStore } from '../../core/ports/file-blobs.js';
import type { S3FileBlobStore } from './s3-file-blobs.js';

/**
 * The S3 store, with the AWS SDK (about 1 MB of bundled code, ~6 MiB of a node's idle memory)
 * imported at the first call rather than at start-up: most nodes never touch a file, and a
 * failed import becomes that call's error. Calls wait for the same one client.
 */
export function createLazyS3FileBlobStore(config: S3Config, cacheDirectory: string): FileBlobStore {
  let store: Promise<S3FileBlobStore> | undefined;
  let loaded: S3FileBlobStore | undefined;
  const get = () => {
    store ??= import('./s3-file-blobs.js').then(
      ({ S3FileBlobStore: Store }) => {
        loaded = new Store(config, cacheDirectory);
        return loaded;
      },
      (error: unknown) => {
        store = undefined;
        throw error;
      },
    );
    return store;
  };
  return {
    put: async (id: string, source: FileBlobSource) => (await get()).put(id, source),
    open: async (id: string) => (await get()).open(id),
    materialize: async (id: string) => (await get()).materialize(id),
    delete: async (id: string) => (await get()).delete(id),
    forgetLocal: async (id: string) => (await get()).forgetLocal(id),
    // Nothing to release before the first call; a client still being made is closed when it is.
    close: () => {
      if (loaded) loaded.close();
      else
        void store?.then(
          (made) => made.close(),
          () => undefined,
        );
    },
  };
}
