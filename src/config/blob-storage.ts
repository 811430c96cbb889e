import type { Env } from './config.js';

/** Where file bytes and workspace snapshots live (PADDOCK_FILE_STORAGE, PADDOCK_BLOB_URL). */
export type FileStorage = 'disk' | 'database' | 's3';

/** An S3-compatible bucket (AWS, MinIO, Ceph, R2, …): `PADDOCK_BLOB_URL=s3://bucket/prefix`. */
export interface S3Config {
  bucket: string;
  /** Key prefix without leading or trailing slashes; '' for the bucket's root. */
  prefix: string;
  /** PADDOCK_S3_ENDPOINT: a non-AWS server's URL; undefined means AWS itself. */
  endpoint: string | undefined;
  /** PADDOCK_S3_REGION (default us-east-1). */
  region: string;
  /** PADDOCK_S3_ACCESS_KEY_ID / PADDOCK_S3_SECRET_ACCESS_KEY; undefined: the SDK's default chain. */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** PADDOCK_S3_FORCE_PATH_STYLE: `endpoint/bucket/key` instead of `bucket.endpoint/key`. */
  forcePathStyle: boolean;
}

/**
 * Nodes sharing Postgres share no disk, so by default their bytes go to the database; a
 * PADDOCK_BLOB_URL selects the S3 store unless PADDOCK_FILE_STORAGE says otherwise.
 */
export function parseBlobStorage(
  env: Env,
  onPostgres: boolean,
): { fileStorage: FileStorage; s3: S3Config | undefined } {
  const s3 = parseS3(env);
  const value = env['PADDOCK_FILE_STORAGE']?.trim().toLowerCase() || undefined;
  const fileStorage = value ?? (s3 ? 's3' : onPostgres ? 'database' : 'disk');
  if (fileStorage !== 'disk' && fileStorage !== 'database' && fileStorage !== 's3')
    throw new Error(`PADDOCK_FILE_STORAGE must be disk, database or s3, got ${JSON.stringify(value)}`);
  if (fileStorage === 's3' && !s3)
    throw new Error('PADDOCK_FILE_STORAGE=s3 needs PADDOCK_BLOB_URL=s3://bucket/prefix');
  return { fileStorage, s3 };
}

function parseS3(env: Env): S3Config | undefined {
  const url = env['PADDOCK_BLOB_URL']?.trim();
  if (!url) return undefined;
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match?.[1])
    throw new Error(`PADDOCK_BLOB_URL must be s3://bucket or s3://bucket/prefix, got ${JSON.stringify(url)}`);
  const accessKeyId = env['PADDOCK_S3_ACCESS_KEY_ID']?.trim();
  const secretAccessKey = env['PADDOCK_S3_SECRET_ACCESS_KEY']?.trim();
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey))
    throw new Error('PADDOCK_S3_ACCESS_KEY_ID and PADDOCK_S3_SECRET_ACCESS_KEY go together');
  const endpoint = env['PADDOCK_S3_ENDPOINT']?.trim() || undefined;
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint))
    throw new Error(`PADDOCK_S3_ENDPOINT must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  const pathStyle = env['PADDOCK_S3_FORCE_PATH_STYLE']?.trim().toLowerCase();
  if (pathStyle !== undefined && pathStyle !== '' && pathStyle !== 'true' && pathStyle !== 'false')
    throw new Error(`PADDOCK_S3_FORCE_PATH_STYLE must be true or false, got ${JSON.stringify(pathStyle)}`);
  return {
    bucket: match[1],
    prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, ''),
    endpoint,
    region: env['PADDOCK_S3_REGION']?.trim() || 'us-east-1',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    // Self-hosted servers (MinIO, s3rver) rarely serve virtual-hosted buckets.
    forcePathStyle: pathStyle ? pathStyle === 'true' : endpoint !== undefined,
  };
}
