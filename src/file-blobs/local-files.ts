import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { notFound } from '../core/errors.js';
import type { FileBlobSource } from '../core/ports/file-blobs.js';

/** `<dir>/<id>`: the disk store's files and the database store's cache share this layout. */
export function blobPath(directory: string, id: string): string {
  // Ids are ours (`file_` + base58), but a path segment from a URL must never climb out.
  if (!/^[A-Za-z0-9_]+$/.test(id)) throw notFound('File', id);
  return join(directory, id);
}

/** A dot-name beside the blobs, so finishing it is an atomic rename on one filesystem. */
export function tempPath(directory: string, purpose: string): string {
  return join(directory, `.${purpose}-${randomBytes(12).toString('hex')}`);
}

/** Readers never see a half-written file: the bytes land under a temp name first. */
export async function writeAtomically(directory: string, target: string, bytes: Buffer): Promise<void> {
  const temp = tempPath(directory, 'writing');
  try {
    await writeFile(temp, bytes, { mode: 0o600 });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Opens a local blob for reading, or undefined when it is not there. */
export async function openIfPresent(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Keeps a local copy of a blob a remote store (database, bucket) already holds: it only spares
 * this node a fetch, so a failure here is swallowed and the staged upload is cleaned up.
 */
export async function cacheCopy(directory: string, target: string, source: FileBlobSource): Promise<void> {
  try {
    await mkdir(directory, { recursive: true });
    if ('path' in source) await rename(source.path, target);
    else await writeAtomically(directory, target, source.bytes);
  } catch {
    if ('path' in source) await rm(source.path, { force: true });
  }
}
