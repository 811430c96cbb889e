import type { Readable } from 'node:stream';

/**
 * The bytes of a new file: a staged local file (an upload, already size-capped) or a
 * Buffer (outputs the server produced). A staged file belongs to the store once `put`
 * succeeds (it may be moved, not copied); when `put` fails it is left to the caller.
 */
export type FileBlobSource = { path: string } | { bytes: Buffer };

/**
 * Where Files API bytes and workspace snapshots live (src/file-blobs/): the local disk of
 * one node, or the database or an S3-compatible bucket every node shares. Metadata stays in the Store; callers check it first, so
 * a store may keep stale local copies of files another node deleted.
 */
export interface FileBlobStore {
  /** All or nothing: after a failure no part of the bytes is visible under `id`. */
  put(id: string, source: FileBlobSource): Promise<void>;
  /** Streams the bytes without holding the whole file in memory; not_found when absent. */
  open(id: string): Promise<Readable>;
  /** A local path holding the bytes, for read-only sandbox mounts; not_found when absent. */
  materialize(id: string): Promise<string>;
  /** Removes the bytes; a missing file is not an error. */
  delete(id: string): Promise<void>;
  /** Drops this node's cached copy where the bytes live elsewhere (a restored snapshot's parts). */
  forgetLocal?(id: string): Promise<void>;
  /** Releases connections (the S3 client's sockets). */
  close?(): void;
}
