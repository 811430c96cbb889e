import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip, gzipSync } from 'node:zlib';
import type { FileBlobStore } from '../../core/ports/file-blobs.js';
import { blobIds, type ManifestEntry, type PartRef, sha256 } from './manifest.js';
import { type ScannedEntry, scanWorkspace } from './scan-workspace.js';

/** Files below this go into the turn's one pack blob (one upload for many small files). */
const PACK_THRESHOLD_BYTES = 1024 * 1024;
/** Fast compression: a turn's end waits for it. */
const GZIP_LEVEL = 1;

export interface SaveInput {
  sessionId: string;
  /** Names this snapshot's new blobs (generation and a random token). */
  tag: string;
  root: string;
  previous: ReadonlyMap<string, ManifestEntry>;
  blobs: FileBlobStore;
  /** Where large files are compressed before upload (beside the store's own files). */
  stageDir: string;
  /** A workspace bigger than this is not snapshotted (the session's disk quota). */
  maxBytes: number;
}

export type SaveResult =
  | { type: 'unchanged' }
  | { type: 'too_large'; bytes: number }
  | { type: 'built'; entries: ManifestEntry[]; changedFiles: number; uploadedBytes: number };

/**
 * Compares the workspace with the previous manifest by size, mtime and mode, and uploads
 * only what differs: small files compressed into one pack, large ones each as their own
 * content-addressed blob. Unchanged files keep their previous part.
 */
export async function buildSnapshot(input: SaveInput): Promise<SaveResult> {
  const scanned = scanWorkspace(input.root);
  if (sameAsBefore(scanned, input.previous)) return { type: 'unchanged' };
  const total = scanned.reduce((sum, entry) => sum + entry.size, 0);
  if (total > input.maxBytes) return { type: 'too_large', bytes: total };

  const entries: ManifestEntry[] = [];
  const packParts: Buffer[] = [];
  let packLength = 0;
  let changedFiles = 0;
  let uploadedBytes = 0;
  const packId = blobIds.pack(input.sessionId, input.tag);
  const knownBlobs = new Set([...input.previous.values()].map((entry) => entry.part?.blob));
  for (const entry of scanned) {
    if (entry.type !== 'file') {
      entries.push(entry);
      continue;
    }
    const before = input.previous.get(entry.path);
    if (before && unchangedFile(entry, before)) {
      entries.push({ ...entry, sha256: before.sha256, part: before.part });
      continue;
    }
    const full = join(input.root, entry.path);
    if (entry.size < PACK_THRESHOLD_BYTES) {
      let content: Buffer;
      try {
        content = readFileSync(full);
      } catch {
        continue; // gone since the scan
      }
      const sha = sha256(content);
      if (before?.sha256 === sha && before.part) {
        entries.push({ ...entry, size: content.length, sha256: sha, part: before.part });
        continue;
      }
      changedFiles++;
      const gzipped = gzipSync(content, { level: GZIP_LEVEL });
      const raw = gzipped.length >= content.length;
      const compressed = raw ? content : gzipped;
      const part = { blob: packId, offset: packLength, length: compressed.length };
      entries.push({
        ...entry,
        size: content.length,
        sha256: sha,
        part: raw ? { ...part, codec: 'raw' } : part,
      });
      packParts.push(compressed);
      packLength += compressed.length;
      continue;
    }
    const large = await uploadLarge(full, input, knownBlobs);
    if (!large) continue;
    if (large.sha !== before?.sha256) changedFiles++;
    uploadedBytes += large.uploaded;
    entries.push({ ...entry, size: large.size, sha256: large.sha, part: large.part });
  }
  if (packLength > 0) {
    await input.blobs.put(packId, { bytes: Buffer.concat(packParts) });
    await input.blobs.forgetLocal?.(packId);
    uploadedBytes += packLength;
  }
  return { type: 'built', entries, changedFiles, uploadedBytes };
}

function unchangedFile(now: ScannedEntry, before: ManifestEntry): boolean {
  return (
    before.type === 'file' &&
    before.size === now.size &&
    before.mtimeMs === now.mtimeMs &&
    before.mode === now.mode &&
    before.sha256 !== undefined &&
    before.part !== undefined
  );
}

/** Nothing to upload and no path added, removed or changed in kind, mode or owner. */
function sameAsBefore(
  scanned: readonly ScannedEntry[],
  previous: ReadonlyMap<string, ManifestEntry>,
): boolean {
  if (scanned.length !== previous.size) return false;
  for (const entry of scanned) {
    const before = previous.get(entry.path);
    if (!before || before.type !== entry.type || before.mode !== entry.mode) return false;
    if (before.uid !== entry.uid || before.gid !== entry.gid) return false;
    if (entry.type === 'file' && !unchangedFile(entry, before)) return false;
    if (entry.type === 'symlink' && before.target !== entry.target) return false;
  }
  return true;
}

/** Gzip would save under a tenth on the file's first 256 KiB: store it as it is, and save the CPU. */
async function incompressible(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const sample = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
    if (bytesRead === 0) return false;
    return gzipSync(sample.subarray(0, bytesRead), { level: GZIP_LEVEL }).length > bytesRead * 0.9;
  } finally {
    await handle.close();
  }
}

/** Streams one large file through sha256 and gzip into a staged file, then into the store. */
async function uploadLarge(
  full: string,
  input: SaveInput,
  knownBlobs: ReadonlySet<string | undefined>,
): Promise<{ sha: string; size: number; part: ManifestEntry['part']; uploaded: number } | undefined> {
  await mkdir(input.stageDir, { recursive: true });
  const staged = join(input.stageDir, `.snapshot-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  let compressed = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      compressed += chunk.length;
      done(null, chunk);
    },
  });
  const raw = await incompressible(full);
  try {
    const writeStaged = createWriteStream(staged, { mode: 0o600 });
    if (raw) await pipeline(createReadStream(full), tap, count, writeStaged);
    else
      await pipeline(
        createReadStream(full),
        tap,
        createGzip({ level: GZIP_LEVEL, strategy: constants.Z_DEFAULT_STRATEGY }),
        count,
        writeStaged,
      );
  } catch {
    await rm(staged, { force: true });
    return undefined; // gone since the scan
  }
  const sha = hash.digest('hex');
  const blob = blobIds.content(input.sessionId, sha);
  const part: PartRef = raw
    ? { blob, offset: 0, length: compressed, codec: 'raw' }
    : { blob, offset: 0, length: compressed };
  if (knownBlobs.has(blob)) {
    await rm(staged, { force: true });
    return { sha, size, part, uploaded: 0 };
  }
  try {
    await input.blobs.put(blob, { path: staged });
  } finally {
    await rm(staged, { force: true });
  }
  await input.blobs.forgetLocal?.(blob);
  return { sha, size, part, uploaded: compressed };
}
