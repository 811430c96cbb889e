import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { notFound } from '../../core/errors.js';
import type { FileBlobSource, FileBlobStore } from '../../core/ports/file-blobs.js';
import type { Store } from '../../core/ports/store.js';
import { blobPath, cacheCopy, openIfPresent, tempPath } from '../local-files.js';
import { CHUNK_BYTES, chunksOf } from './file-chunks.js';

/**
 * Bytes in the shared database (`file_chunks`), so every node sees every file. Each node
 * keeps a local copy under `<dataDir>/files/<id>` once it has read a file (or stored it),
 * so repeat mounts and downloads do not go back to the database. Ids are never reused, so
 * a cached copy is never out of date; it may outlive a file deleted through another node,
 * which is why callers check the metadata first.
 */
export class DatabaseFileBlobStore implements FileBlobStore {
  constructor(
    private readonly store: Store,
    private readonly cacheDirectory: string,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {}

  async put(id: string, source: FileBlobSource): Promise<void> {
    const target = blobPath(this.cacheDirectory, id);
    // One transaction: a crash or error midway leaves no chunk behind for a reader to find.
    await this.store.transaction(async (tx) => {
      let index = 0;
      for await (const chunk of chunksOf(source, this.chunkBytes))
        await tx.fileChunks.insert(id, index++, chunk);
    });
    // The remote store holds the bytes; the local copy only spares this node a fetch.
    await cacheCopy(this.cacheDirectory, target, source);
  }

  async open(id: string): Promise<Readable> {
    const cached = await openIfPresent(blobPath(this.cacheDirectory, id));
    if (cached) return cached.createReadStream();
    return Readable.from(this.readAndCache(id, await this.chunkCount(id)));
  }

  async materialize(id: string): Promise<string> {
    const path = blobPath(this.cacheDirectory, id);
    if (await exists(path)) return path;
    await finished(Readable.from(this.readAndCache(id, await this.chunkCount(id))).resume());
    return path;
  }

  async delete(id: string): Promise<void> {
    const path = blobPath(this.cacheDirectory, id);
    await this.store.fileChunks.delete(id);
    await rm(path, { force: true });
  }

  async forgetLocal(id: string): Promise<void> {
    await rm(blobPath(this.cacheDirectory, id), { force: true });
  }

  private async chunkCount(id: string): Promise<number> {
    const count = await this.store.fileChunks.count(id);
    if (count === 0) throw notFound('File', id);
    return count;
  }

  /** Yields the chunks in order while copying them to the cache; only a complete copy is kept. */
  private async *readAndCache(id: string, count: number): AsyncGenerator<Buffer> {
    await mkdir(this.cacheDirectory, { recursive: true });
    const temp = tempPath(this.cacheDirectory, 'caching');
    const handle = await open(temp, 'wx', 0o600);
    let complete = false;
    try {
      for (let index = 0; index < count; index++) {
        const bytes = await this.store.fileChunks.get(id, index);
        // Chunks go missing only when the file is deleted under the reader.
        if (bytes === undefined) throw notFound('File', id);
        await handle.write(bytes);
        yield bytes;
      }
      complete = true;
    } finally {
      await handle.close();
      if (complete) await rename(temp, blobPath(this.cacheDirectory, id));
      else await rm(temp, { force: true });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
