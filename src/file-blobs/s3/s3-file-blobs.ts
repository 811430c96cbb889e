import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../../config/blob-storage.js';
import { notFound } from '../../core/errors.js';
import type { FileBlobSource, FileBlobStore } from '../../core/ports/file-blobs.js';
import { blobPath, cacheCopy, openIfPresent, tempPath } from '../local-files.js';

/**
 * Bytes as objects in an S3-compatible bucket (`<prefix>/<id>`), so every node sees every
 * file and the database holds no bytes. Like the database store, a node keeps a local copy
 * under its cache directory once it has stored or read a file: ids are never reused, so a
 * copy is never out of date. A PUT of a whole object is atomic in S3: readers see all of it
 * or a 404, never a part.
 */
export class S3FileBlobStore implements FileBlobStore {
  private readonly client: S3Client;

  constructor(
    private readonly config: S3Config,
    private readonly cacheDirectory: string,
  ) {
    const options: S3ClientConfig = {
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      // The SDK would otherwise add CRC32 trailers that some S3-compatible servers refuse.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (config.endpoint) options.endpoint = config.endpoint;
    if (config.credentials) options.credentials = config.credentials;
    this.client = new S3Client(options);
  }

  async put(id: string, source: FileBlobSource): Promise<void> {
    const target = blobPath(this.cacheDirectory, id);
    // The size first: a stream opened on a missing path would fail outside this call.
    const body =
      'path' in source
        ? { ContentLength: (await stat(source.path)).size, Body: createReadStream(source.path) }
        : { Body: source.bytes, ContentLength: source.bytes.length };
    await this.client.send(new PutObjectCommand({ Bucket: this.config.bucket, Key: this.key(id), ...body }));
    // The remote store holds the bytes; the local copy only spares this node a fetch.
    await cacheCopy(this.cacheDirectory, target, source);
  }

  async open(id: string): Promise<Readable> {
    const cached = await openIfPresent(blobPath(this.cacheDirectory, id));
    if (cached) return cached.createReadStream();
    const path = await this.materialize(id);
    const handle = await openIfPresent(path);
    if (!handle) throw notFound('File', id);
    return handle.createReadStream();
  }

  async materialize(id: string): Promise<string> {
    const path = blobPath(this.cacheDirectory, id);
    const cached = await openIfPresent(path);
    if (cached) {
      await cached.close();
      return path;
    }
    const body = await this.get(id);
    await mkdir(this.cacheDirectory, { recursive: true });
    // Only a complete download is ever visible under the id.
    const temp = tempPath(this.cacheDirectory, 'caching');
    const handle = await open(temp, 'wx', 0o600);
    try {
      await pipeline(body, handle.createWriteStream());
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    } finally {
      await handle.close().catch(() => undefined);
    }
    return path;
  }

  async delete(id: string): Promise<void> {
    const path = blobPath(this.cacheDirectory, id);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(id) }));
    await rm(path, { force: true });
  }

  async forgetLocal(id: string): Promise<void> {
    await rm(blobPath(this.cacheDirectory, id), { force: true });
  }

  close(): void {
    this.client.destroy();
  }

  private key(id: string): string {
    blobPath(this.cacheDirectory, id); // the same id check as every store: no `/` or `..`
    return this.config.prefix ? `${this.config.prefix}/${id}` : id;
  }

  private async get(id: string): Promise<Readable> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(id) }),
      );
      if (!(response.Body instanceof Readable)) throw new Error(`S3 returned no body for ${id}`);
      return response.Body;
    } catch (error) {
      const name = (error as { name?: string }).name;
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) throw notFound('File', id);
      throw error;
    }
  }
}
