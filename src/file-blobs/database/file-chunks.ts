import { open } from 'node:fs/promises';
import type { FileBlobSource } from '../../core/ports/file-blobs.js';

/** Large enough to keep the row count low, small enough that a chunk is a cheap allocation. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Cuts a source into chunks of exactly `size` bytes (the last may be shorter). An empty
 * file still yields one empty chunk, so "no chunks stored" always means "no such file".
 */
export async function* chunksOf(source: FileBlobSource, size: number): AsyncGenerator<Buffer> {
  if ('bytes' in source) {
    if (source.bytes.length === 0) yield source.bytes;
    for (let offset = 0; offset < source.bytes.length; offset += size)
      yield source.bytes.subarray(offset, offset + size);
    return;
  }
  const handle = await open(source.path, 'r');
  try {
    for (let first = true; ; first = false) {
      const buffer = Buffer.allocUnsafe(size);
      let filled = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, filled, size - filled, null);
        filled += bytesRead;
        if (bytesRead === 0 || filled === size) break;
      }
      if (filled === size) {
        yield buffer;
        continue;
      }
      if (filled > 0 || first) yield buffer.subarray(0, filled);
      return;
    }
  } finally {
    await handle.close();
  }
}
