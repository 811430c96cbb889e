import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { type FileStorage, loadConfig } from '../../src/config/config.js';
import { isPaddockError } from '../../src/core/errors.js';
import type { FileBlobStore } from '../../src/core/ports/file-blobs.js';
import type { Store } from '../../src/core/ports/store.js';
import { createFileBlobStore } from '../../src/file-blobs/create-file-blob-store.js';
import { CHUNK_BYTES } from '../../src/file-blobs/database/file-chunks.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const STORAGES: readonly FileStorage[] = ['disk', 'database', 's3'];

let s3: TestS3;
before(async () => {
  s3 = await startTestS3();
});
after(async () => {
  await s3.close();
});

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const isNotFound = (error: unknown) => isPaddockError(error) && error.code === 'not_found';

describe('PADDOCK_FILE_STORAGE', () => {
  it('defaults to database on Postgres and disk otherwise; an explicit choice wins', () => {
    const postgres = 'postgres://db.example/paddock';
    assert.equal(loadConfig({}).fileStorage, 'disk');
    assert.equal(loadConfig({ PADDOCK_DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).fileStorage, 'disk');
    assert.equal(loadConfig({ PADDOCK_DATABASE_URL: postgres }).fileStorage, 'database');
    assert.equal(loadConfig({}, { databaseUrl: postgres }).fileStorage, 'database');
    assert.equal(loadConfig({ PADDOCK_FILE_STORAGE: 'database' }).fileStorage, 'database');
    assert.equal(
      loadConfig({ PADDOCK_DATABASE_URL: postgres, PADDOCK_FILE_STORAGE: 'disk' }).fileStorage,
      'disk',
    );
    assert.throws(() => loadConfig({ PADDOCK_FILE_STORAGE: 's3' }), /PADDOCK_BLOB_URL/);
    assert.throws(() => loadConfig({ PADDOCK_FILE_STORAGE: 'tape' }), /PADDOCK_FILE_STORAGE/);
  });

  it('PADDOCK_BLOB_URL selects the S3 store with its bucket, prefix and endpoint settings', () => {
    const config = loadConfig({
      PADDOCK_DATABASE_URL: 'postgres://db.example/paddock',
      PADDOCK_BLOB_URL: 's3://my-bucket/paddock/prod/',
      PADDOCK_S3_ENDPOINT: 'http://minio.internal:9000',
      PADDOCK_S3_ACCESS_KEY_ID: 'key',
      PADDOCK_S3_SECRET_ACCESS_KEY: 'secret',
    });
    assert.equal(config.fileStorage, 's3');
    assert.deepEqual(config.s3, {
      bucket: 'my-bucket',
      prefix: 'paddock/prod',
      endpoint: 'http://minio.internal:9000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      forcePathStyle: true,
    });
    const aws = loadConfig({ PADDOCK_BLOB_URL: 's3://bucket-a', PADDOCK_S3_REGION: 'eu-west-1' });
    assert.equal(aws.s3?.prefix, '');
    assert.equal(aws.s3?.region, 'eu-west-1');
    assert.equal(aws.s3?.forcePathStyle, false);
    assert.equal(aws.s3?.credentials, undefined, 'the SDK default chain');
    assert.equal(
      loadConfig({ PADDOCK_BLOB_URL: 's3://b-1', PADDOCK_FILE_STORAGE: 'disk' }).fileStorage,
      'disk',
    );
    assert.throws(() => loadConfig({ PADDOCK_BLOB_URL: 'https://bucket' }), /PADDOCK_BLOB_URL/);
    assert.throws(
      () => loadConfig({ PADDOCK_BLOB_URL: 's3://bucket', PADDOCK_S3_ACCESS_KEY_ID: 'x' }),
      /go together/,
    );
  });
});

/** One contract, run on every storage over every dialect. */
for (const dialect of DIALECTS) {
  for (const storage of STORAGES) {
    describe(`file blobs: ${storage} (${dialect})`, () => {
      let database: TestDatabase;
      let store: Store;
      let blobs: FileBlobStore;
      let filesDirectory: string;
      let counter = 0;
      const nextId = () => `file_${storage}${dialect}${counter++}`;

      /** A staged upload, as FileService leaves it: a dot-file beside the blobs. */
      const stage = (bytes: Buffer) => {
        mkdirSync(filesDirectory, { recursive: true });
        const path = join(filesDirectory, `.staging-${randomBytes(6).toString('hex')}`);
        writeFileSync(path, bytes);
        return path;
      };
      const leftovers = () => readdirSync(filesDirectory).filter((name) => name.startsWith('.'));

      before(async () => {
        database = await createTestDatabase(dialect);
        store = await database.open();
        blobs = createFileBlobStore(
          { fileStorage: storage, dataDir: database.dataDir, s3: { ...s3.config, prefix: `${dialect}/run` } },
          store,
        );
        filesDirectory = join(database.dataDir, 'files');
      });
      after(async () => {
        blobs.close?.();
        await store.close();
        await database.drop();
      });

      it('puts from a staged path and a buffer; opens, materializes and deletes', async () => {
        const fromPath = nextId();
        const staged = stage(Buffer.from('staged bytes\n'));
        await blobs.put(fromPath, { path: staged });
        const fromBuffer = nextId();
        await blobs.put(fromBuffer, { bytes: Buffer.from([0, 255, 10, 13, 0]) });

        assert.deepEqual(await readAll(await blobs.open(fromPath)), Buffer.from('staged bytes\n'));
        assert.deepEqual(await readAll(await blobs.open(fromBuffer)), Buffer.from([0, 255, 10, 13, 0]));
        const path = await blobs.materialize(fromPath);
        assert.deepEqual(readFileSync(path), Buffer.from('staged bytes\n'));
        assert.equal(await blobs.materialize(fromPath), path, 'a repeat materialize reuses the copy');
        assert.deepEqual(leftovers(), [], 'the staged file was taken over, no temp file remains');

        await blobs.delete(fromPath);
        await assert.rejects(blobs.open(fromPath), isNotFound);
        await assert.rejects(blobs.materialize(fromPath), isNotFound);
        await blobs.delete(fromPath);
        await assert.rejects(blobs.open('file_never'), isNotFound);
        await assert.rejects(blobs.open('../escape'), isNotFound);
      });

      it('round-trips a multi-chunk file byte-exact, and an empty one', async () => {
        const bytes = randomBytes(3.5 * 1024 * 1024);
        const id = nextId();
        await blobs.put(id, { path: stage(bytes) });
        assert.ok((await readAll(await blobs.open(id))).equals(bytes));
        assert.ok(readFileSync(await blobs.materialize(id)).equals(bytes));
        if (storage === 'database') assert.equal(await store.fileChunks.count(id), 4);
        if (storage !== 'disk') {
          // Another node (an empty cache) reads the bytes from the shared store.
          await blobs.forgetLocal?.(id);
          assert.ok(!readdirSync(filesDirectory).includes(id));
          assert.ok((await readAll(await blobs.open(id))).equals(bytes));
          assert.ok(readdirSync(filesDirectory).includes(id), 'a read fills the cache again');
        }

        const fromBuffer = nextId();
        await blobs.put(fromBuffer, { bytes });
        assert.ok((await readAll(await blobs.open(fromBuffer))).equals(bytes));

        const empty = nextId();
        await blobs.put(empty, { bytes: Buffer.alloc(0) });
        assert.equal((await readAll(await blobs.open(empty))).length, 0);
        assert.equal(readFileSync(await blobs.materialize(empty)).length, 0);
        const emptyStaged = nextId();
        await blobs.put(emptyStaged, { path: stage(Buffer.alloc(0)) });
        assert.equal((await readAll(await blobs.open(emptyStaged))).length, 0);
        assert.deepEqual(leftovers(), []);
      });

      it('leaves nothing behind when a put fails', async () => {
        const id = nextId();
        await assert.rejects(blobs.put(id, { path: join(filesDirectory, '.staging-missing') }));
        await assert.rejects(blobs.open(id), isNotFound);
        await assert.rejects(blobs.materialize(id), isNotFound);
        assert.deepEqual(leftovers(), []);
      });

      if (storage === 's3')
        it('serves another node from the bucket, and a delete there removes the object', async () => {
          const bytes = randomBytes(1024 * 1024 + 7);
          const id = nextId();
          await blobs.put(id, { bytes });
          const otherDataDir = mkdtempSync(join(tmpdir(), 'paddock-node-b-'));
          const other = createFileBlobStore(
            { fileStorage: 's3', dataDir: otherDataDir, s3: { ...s3.config, prefix: `${dialect}/run` } },
            store,
          );
          try {
            assert.ok(readFileSync(await other.materialize(id)).equals(bytes));
            await other.delete(id);
            await blobs.forgetLocal?.(id);
            await assert.rejects(blobs.open(id), isNotFound);
          } finally {
            other.close?.();
            rmSync(otherDataDir, { recursive: true, force: true });
          }
        });

      if (storage !== 'database') return;

      it('rolls back every chunk when a put fails midway', async () => {
        const id = nextId();
        // A row already at chunk 2 makes the third insert fail after two have gone in.
        await store.fileChunks.insert(id, 2, Buffer.from('planted'));
        const staged = stage(randomBytes(3 * CHUNK_BYTES + 10));
        await assert.rejects(blobs.put(id, { path: staged }));
        assert.equal(await store.fileChunks.count(id), 1, 'only the planted row is left');
        assert.equal(await store.fileChunks.get(id, 0), undefined);
        assert.ok(!readdirSync(filesDirectory).includes(id), 'nothing was cached');
        rmSync(staged);
        assert.deepEqual(leftovers(), []);
        await store.fileChunks.delete(id);
      });

      it('serves another node from the database, then from its own cache', async () => {
        const bytes = randomBytes(2 * CHUNK_BYTES + 123);
        const id = nextId();
        await blobs.put(id, { bytes });
        const otherDataDir = mkdtempSync(join(tmpdir(), 'paddock-node-b-'));
        try {
          const other = createFileBlobStore({ fileStorage: 'database', dataDir: otherDataDir }, store);
          const otherFiles = join(otherDataDir, 'files');
          assert.ok((await readAll(await other.open(id))).equals(bytes));
          assert.ok(readFileSync(join(otherFiles, id)).equals(bytes), 'a download fills the cache');

          const second = nextId();
          await blobs.put(second, { bytes: bytes.subarray(0, 1000) });
          const path = await other.materialize(second);
          assert.equal(path, join(otherFiles, second));
          assert.ok(readFileSync(path).equals(bytes.subarray(0, 1000)));
          assert.deepEqual(
            readdirSync(otherFiles).filter((name) => name.startsWith('.')),
            [],
          );

          // A stream abandoned midway keeps no partial copy.
          const third = nextId();
          await blobs.put(third, { bytes });
          const stream = await other.open(third);
          for await (const _chunk of stream) break;
          await finished(stream).catch(() => undefined);
          assert.ok(!readdirSync(otherFiles).includes(third));
          assert.deepEqual(
            readdirSync(otherFiles).filter((name) => name.startsWith('.')),
            [],
          );

          await other.delete(id);
          assert.equal(await store.fileChunks.count(id), 0);
          await assert.rejects(other.open(id), isNotFound);
        } finally {
          rmSync(otherDataDir, { recursive: true, force: true });
        }
      });
    });
  }
}
