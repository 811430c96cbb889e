import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { notFound, PaddockError } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Cursor, ResourcePage, Store } from '../ports/store.js';
import type { FileMetadata } from './file.js';
import { resolveMimeType } from './mime-types.js';

export interface FileServiceOptions {
  dataDir: string;
  maxUploadBytes: number;
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

/** Files: bytes under `<dataDir>/files/<id>`, metadata in the resources table. */
export class FileService {
  readonly maxUploadBytes: number;
  private readonly directory: string;

  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    options: FileServiceOptions,
  ) {
    this.maxUploadBytes = options.maxUploadBytes;
    this.directory = join(options.dataDir, 'files');
  }

  /** Streams an upload to a staging file in the same directory, so committing is an atomic rename. */
  async stage(stream: Readable): Promise<StagedUpload> {
    await mkdir(this.directory, { recursive: true });
    const path = join(this.directory, `.staging-${randomBytes(12).toString('hex')}`);
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
    await rename(staged.path, this.pathOf(metadata.id));
    await this.record(metadata);
    return metadata;
  }

  /** For files the server itself produces (a session's outputs). */
  async createFromBuffer(bytes: Buffer, details: FileDetails): Promise<FileMetadata> {
    await mkdir(this.directory, { recursive: true });
    const metadata = this.describe(bytes.length, details);
    await writeFile(this.pathOf(metadata.id), bytes, { mode: 0o600 });
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

  /** Where a file's bytes live on the host, for mounting into a sandbox. */
  async hostPath(id: string): Promise<string> {
    await this.retrieve(id);
    return this.pathOf(id);
  }

  async openContent(id: string): Promise<{ metadata: FileMetadata; content: ReadStream }> {
    const metadata = await this.retrieve(id);
    return { metadata, content: createReadStream(this.pathOf(id)) };
  }

  async delete(id: string): Promise<{ id: string; type: 'file_deleted' }> {
    const deleted = await this.store.resources.delete('file', id);
    if (!deleted) throw notFound('File', id);
    await rm(this.pathOf(id), { force: true });
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
      await rm(this.pathOf(metadata.id), { force: true });
      throw error;
    }
  }

  private isExpired(metadata: FileMetadata): boolean {
    return metadata.expires_at !== null && Date.parse(metadata.expires_at) <= this.clock.now();
  }

  private pathOf(id: string): string {
    // Ids are ours (`file_` + base58), but a path segment from a URL must never climb out.
    if (!/^[A-Za-z0-9_]+$/.test(id)) throw notFound('File', id);
    return join(this.directory, id);
  }
}
