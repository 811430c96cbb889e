import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { notFound, PaddockError } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { FileBlobStore } from '../ports/file-blobs.js';
import type { Cursor, ResourcePage, Store } from '../ports/store.js';
import { type FreeDiskReader, type LowDiskGuard, lowDiskGuard } from '../storage/low-disk-guard.js';
import type { FileMetadata } from './file.js';
import { resolveMimeType } from './mime-types.js';

export interface FileServiceOptions {
  dataDir: string;
  maxUploadBytes: number;
  /** Uploads are refused below this much free space on the data dir's disk (PADDOCK_MIN_FREE_DISK_MB). */
  minFreeDiskBytes: number;
  /** Test-only: how free space is read (default statfs of the data dir). */
  freeDiskBytes?: FreeDiskReader | undefined;
}

/** Bytes received but not yet recorded; committed or discarded by the caller. */
export interface StagedUpload {
  path: string;
  sizeBytes: number;
}

export interface FileDetails {
  filename: string;
  mimeType?: string | undefined;
  expiresInSeconds?: number | undefined;
  /** The session that produced the file; null for uploads. */
  scopeId?: string | null | undefined;
}

export interface FileListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  scopeId?: string | undefined;
  ids?: readonly string[] | undefined;
}

/**
 * Files: metadata in the resources table, bytes in a FileBlobStore (the node's disk, or
 * the shared database). The metadata decides whether a file exists: it is written after
 * the bytes and removed before them, and checked before every read.
 */
export class FileService {
  readonly maxUploadBytes: number;
  private readonly stagingDirectory: string;
  private readonly diskGuard: LowDiskGuard;

  constructor(
    private readonly store: Store,
    private readonly blobs: FileBlobStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    options: FileServiceOptions,
  ) {
    this.maxUploadBytes = options.maxUploadBytes;
    this.stagingDirectory = join(options.dataDir, 'files');
    this.diskGuard = lowDiskGuard(options);
  }

  /**
   * Streams an upload to a local staging file first: the size cap is enforced before any
   * byte is stored, and on disk storage (same directory) committing is an atomic rename.
   */
  async stage(stream: Readable): Promise<StagedUpload> {
    // Before any byte lands: a nearly full disk is kept for the event log and the database.
    await this.diskGuard.check('file upload');
    await mkdir(this.stagingDirectory, { recursive: true });
    const path = join(this.stagingDirectory, `.staging-${randomBytes(12).toString('hex')}`);
    try {
      await pipeline(stream, createWriteStream(path, { mode: 0o600 }));
      return { path, sizeBytes: (await stat(path)).size };
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  }

  async discard(staged: StagedUpload): Promise<void> {
    await rm(staged.path, { force: true });
  }

  async commit(staged: StagedUpload, details: FileDetails): Promise<FileMetadata> {
    const metadata = this.describe(staged.sizeBytes, details);
    await this.blobs.put(metadata.id, { path: staged.path });
    await this.record(metadata);
    return metadata;
  }

  /** For files the server itself produces (a session's outputs). */
  async createFromBuffer(bytes: Buffer, details: FileDetails): Promise<FileMetadata> {
    const metadata = this.describe(bytes.length, details);
    await this.blobs.put(metadata.id, { bytes });
    await this.record(metadata);
    return metadata;
  }

  async retrieve(id: string): Promise<FileMetadata> {
    const record = await this.store.resources.get<FileMetadata>('file', id);
    if (!record) throw notFound('File', id);
    if (this.isExpired(record.doc)) {
      throw new PaddockError('not_found', `file ${JSON.stringify(id)} has expired`, {
        errorCode: 'file_expired',
      });
    }
    return record.doc;
  }

  /** A local path holding a file's bytes, for mounting into a sandbox. */
  async hostPath(id: string): Promise<string> {
    await this.retrieve(id);
    return this.blobs.materialize(id);
  }

  async openContent(id: string): Promise<{ metadata: FileMetadata; content: Readable }> {
    const metadata = await this.retrieve(id);
    return { metadata, content: await this.blobs.open(id) };
  }

  async delete(id: string): Promise<{ id: string; type: 'file_deleted' }> {
    const deleted = await this.store.resources.delete('file', id);
    if (!deleted) throw notFound('File', id);
    await this.blobs.delete(id);
    return { id, type: 'file_deleted' };
  }

  /** Expired files are left out of the page, so a page may hold fewer than `limit` items. */
  async list(options: FileListOptions): Promise<ResourcePage<FileMetadata>> {
    const page = await this.store.resources.list<FileMetadata>({
      kind: 'file',
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      parentId: options.scopeId,
      ids: options.ids,
    });
    return { ...page, items: page.items.filter((record) => !this.isExpired(record.doc)) };
  }

  private describe(sizeBytes: number, details: FileDetails): FileMetadata {
    const now = this.clock.now();
    const scopeId = details.scopeId ?? null;
    return {
      type: 'file',
      id: this.ids.next('file'),
      filename: details.filename,
      mime_type: resolveMimeType(details.filename, details.mimeType),
      size_bytes: sizeBytes,
      created_at: toTimestamp(now),
      downloadable: true,
      expires_at:
        details.expiresInSeconds === undefined ? null : toTimestamp(now + details.expiresInSeconds * 1000),
      scope: scopeId === null ? null : { type: 'session', id: scopeId },
    };
  }

  private async record(metadata: FileMetadata): Promise<void> {
    try {
      await this.store.resources.insert({
        kind: 'file',
        id: metadata.id,
        parentId: metadata.scope?.id ?? null,
        name: null,
        status: null,
        refId: null,
        refVersion: null,
        createdAt: metadata.created_at,
        updatedAt: metadata.created_at,
        archivedAt: null,
        doc: metadata,
      });
    } catch (error) {
      await this.blobs.delete(metadata.id);
      throw error;
    }
  }

  private isExpired(metadata: FileMetadata): boolean {
    return metadata.expires_at !== null && Date.parse(metadata.expires_at) <= this.clock.now();
  }
}
