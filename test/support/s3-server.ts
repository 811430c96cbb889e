import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3Config } from '../../src/config/blob-storage.js';

export interface TestS3 {
  config: S3Config;
  /** The PADDOCK_* variables a child process needs to reach this server. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A real S3 protocol server (s3rver) in this process on a free port, with one bucket. */
export async function startTestS3(prefix = 'paddock-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'paddock-s3-'));
  const bucket = 'paddock-blobs';
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  // s3rver accepts its documented default key pair.
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    config: { bucket, prefix, endpoint, region: 'us-east-1', credentials, forcePathStyle: true },
    env: {
      PADDOCK_BLOB_URL: `s3://${bucket}/${prefix}`,
      PADDOCK_S3_ENDPOINT: endpoint,
      PADDOCK_S3_ACCESS_KEY_ID: credentials.accessKeyId,
      PADDOCK_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      PADDOCK_S3_FORCE_PATH_STYLE: 'true',
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
