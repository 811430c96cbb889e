import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { S3FileBlobStore } from '../../src/file-blobs/s3/s3-file-blobs.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The S3 store imports the AWS SDK at its first call (issue #21's idle memory): the first
// upload after start must work exactly as every later one, and later calls reuse the client.
describe('files over the SDK with PADDOCK_FILE_STORAGE=s3 (SDK loaded at first use)', () => {
  let s3: TestS3;
  let server: TestServer;
  before(async () => {
    s3 = await startTestS3();
    server = await startTestServer('sqlite', { fileStorage: 's3', s3: s3.config });
  });
  after(async () => {
    await server.close();
    await s3.close();
  });

  it('the first upload after start is stored in the bucket, downloaded and deleted', async () => {
    const bytes = Buffer.from('first file after start\n');
    const file = await server.client.beta.files.upload({ file: await toFile(bytes, 'first.txt') });
    const response = await server.client.beta.files.download(file.id);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
    // In the bucket, not only in the node's cache: a store with an empty cache reads it back.
    const cache = mkdtempSync(join(tmpdir(), 'paddock-s3-cache-'));
    const other = new S3FileBlobStore(s3.config, cache);
    try {
      assert.equal(await text(await other.open(file.id)), bytes.toString());
    } finally {
      other.close();
      rmSync(cache, { recursive: true, force: true });
    }
    const second = await server.client.beta.files.upload({ file: await toFile(Buffer.from('2'), 'b.txt') });
    assert.deepEqual(
      Buffer.from(await (await server.client.beta.files.download(second.id)).arrayBuffer()),
      Buffer.from('2'),
    );
    await server.client.beta.files.delete(file.id);
    await assert.rejects(server.client.beta.files.download(file.id), Anthropic.NotFoundError);
  });
});
