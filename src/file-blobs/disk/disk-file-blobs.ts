import { access, mkdir, rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { notFound } from '../../core/errors.js';
import type { FileBlobSource, FileBlobStore } from '../../core/ports/file-blobs.js';
import { blobPath, openIfPresent, writeAtomically } from '../local-files.js';

/**
 * Bytes as plain files under `<dataDir>/files/<id>` on the node that received them: the
 * single-node default. Nodes that share a Postgres database but not this directory cannot
 * see each other's files; they use the database store.
 */
export class DiskFileBlobStore implements FileBlobStore {
  constructor(private readonly directory: string) {}

  async put(id: string, source: FileBlobSource): Promise<void> {
    const target = blobPath(this.directory, id);
    await mkdir(this.directory, { recursive: true });
    // FileService stages uploads in this directory, so taking one over is an atomic rename.
    if ('path' in source) await rename(source.path, target);
    else await writeAtomically(this.directory, target, source.bytes);
  }

  async open(id: string): Promise<Readable> {
    const handle = await openIfPresent(blobPath(this.directory, id));
    if (!handle) throw notFound('File', id);
    return handle.createReadStream();
  }

  async materialize(id: string): Promise<string> {
    const path = blobPath(this.directory, id);
    try {
      await access(path);
    } catch {
      throw notFound('File', id);
    }
    return path;
  }

  async delete(id: string): Promise<void> {
    await rm(blobPath(this.directory, id), { force: true });
  }
}
