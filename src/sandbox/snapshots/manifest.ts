import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/** Where an entry's compressed bytes are: a range of a pack, or a whole blob of its own. */
export interface PartRef {
  blob: string;
  offset: number;
  length: number;
  /** `raw` for bytes gzip would not shrink (archives, images, random data); gzip otherwise. */
  codec?: 'raw';
}

/**
 * One path of the workspace. Files carry their content's sha256 (checked on restore);
 * symlinks their target (stored, never followed); whiteouts are overlayfs's record of a
 * deleted lower file (a 0/0 character device in the upper directory).
 */
export interface ManifestEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'whiteout';
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  size: number;
  sha256?: string;
  target?: string;
  part?: PartRef;
}

export interface Manifest {
  version: 1;
  sessionId: string;
  generation: number;
  createdAt: string;
  entries: ManifestEntry[];
}

export function encodeManifest(manifest: Manifest): { bytes: Buffer; sha256: string } {
  const bytes = gzipSync(JSON.stringify(manifest));
  return { bytes, sha256: sha256(bytes) };
}

/** Throws on a checksum mismatch or a malformed manifest: a corrupt snapshot is never half-applied. */
export function decodeManifest(bytes: Buffer, expectedSha256: string | null): Manifest {
  if (expectedSha256 !== null && sha256(bytes) !== expectedSha256)
    throw new Error('the snapshot manifest does not match its checksum');
  const manifest = JSON.parse(gunzipSync(bytes).toString('utf8')) as Manifest;
  if (manifest.version !== 1 || !Array.isArray(manifest.entries))
    throw new Error('the snapshot manifest has an unknown format');
  for (const entry of manifest.entries) checkRelativePath(entry.path);
  return manifest;
}

/**
 * A path relative to the workspace root with no way out: no absolute path, no `..`, no
 * empty or `.` segment, no NUL. Restore also refuses to write through symlinks, so a
 * manifest cannot reach outside even when it names a link as a parent.
 */
export function checkRelativePath(path: string): void {
  if (typeof path !== 'string' || path.length === 0 || path.length > 4096 || path.includes('\0'))
    throw new Error(`snapshot path ${JSON.stringify(path)} is not allowed`);
  for (const segment of path.split('/'))
    if (segment === '' || segment === '.' || segment === '..')
      throw new Error(`snapshot path ${JSON.stringify(path)} is not allowed`);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Blob ids: `[A-Za-z0-9_]` only (every store checks it), scoped by session so a delete finds them all. */
export const blobIds = {
  /** `tag`: the generation and a random token, so a retried snapshot never reuses an id. */
  manifest: (sessionId: string, tag: string) => `wsm_${safe(sessionId)}_${tag}`,
  pack: (sessionId: string, tag: string) => `wsp_${safe(sessionId)}_${tag}`,
  content: (sessionId: string, sha: string) => `wsb_${safe(sessionId)}_${sha}`,
};

function safe(sessionId: string): string {
  return sessionId.replace(/[^A-Za-z0-9_]/g, '_');
}
