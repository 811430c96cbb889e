import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, lchown, lstat, lutimes, mkdir, open, readdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { FileBlobStore } from '../../core/ports/file-blobs.js';
import { checkRelativePath, type Manifest, type ManifestEntry } from './manifest.js';

const run = promisify(execFile);
const CREATE_FLAGS = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;
/** Parts of their own this large are streamed to disk instead of read whole. */
const STREAM_THRESHOLD_BYTES = 1024 * 1024;

/**
 * Writes a manifest's entries into `root`, which must be empty. Every write is confined:
 * paths are checked, every parent must be a real directory we made (never a link), and
 * files are created with O_EXCL|O_NOFOLLOW. Every file's sha256 is checked; any mismatch
 * or missing part throws, and the caller empties `root` again.
 */
export async function applyManifest(
  root: string,
  manifest: Manifest,
  blobs: FileBlobStore,
  /** Owners are restored only when the server may set them (root). */
  restoreOwners: boolean,
): Promise<{ files: number; bytes: number }> {
  const directories = new Set<string>(['']);
  const byBlob = new Map<string, ManifestEntry[]>();
  for (const entry of manifest.entries) {
    checkRelativePath(entry.path);
    const parent = entry.path.includes('/') ? entry.path.slice(0, entry.path.lastIndexOf('/')) : '';
    if (!directories.has(parent))
      throw new Error(`snapshot entry ${JSON.stringify(entry.path)} has no directory before it`);
    const full = join(root, entry.path);
    if (entry.type === 'dir') {
      await mkdir(full, { mode: 0o700 });
      directories.add(entry.path);
    } else if (entry.type === 'symlink') {
      await symlink(String(entry.target ?? ''), full);
    } else if (entry.type === 'whiteout') {
      await run('mknod', [full, 'c', '0', '0']).catch(() => undefined);
    } else if (entry.type === 'file') {
      if (!entry.part || !entry.sha256) throw new Error(`snapshot entry ${entry.path} has no content`);
      const list = byBlob.get(entry.part.blob) ?? [];
      list.push(entry);
      byBlob.set(entry.part.blob, list);
    }
  }
  let files = 0;
  let bytes = 0;
  for (const [blob, entries] of byBlob) {
    const [only] = entries;
    if (entries.length === 1 && only && only.part?.offset === 0 && only.size >= STREAM_THRESHOLD_BYTES) {
      // A large file streams from the store to disk: never whole in memory.
      await streamConfined(join(root, only.path), await blobs.open(blob), only);
      await blobs.forgetLocal?.(blob);
      files++;
      bytes += only.size;
      continue;
    }
    const compressed = await readAll(await blobs.open(blob));
    await blobs.forgetLocal?.(blob);
    for (const entry of entries) {
      const part = entry.part!;
      const slice = compressed.subarray(part.offset, part.offset + part.length);
      if (slice.length !== part.length) throw new Error(`snapshot part of ${entry.path} is truncated`);
      const content = part.codec === 'raw' ? slice : gunzipSync(slice);
      if (createHash('sha256').update(content).digest('hex') !== entry.sha256)
        throw new Error(`snapshot content of ${entry.path} does not match its checksum`);
      await writeConfined(join(root, entry.path), content);
      files++;
      bytes += content.length;
    }
  }
  // Modes, owners and times last, deepest first, so a read-only directory is filled before it closes.
  for (const entry of [...manifest.entries].reverse()) {
    const full = join(root, entry.path);
    if (entry.type !== 'symlink' && entry.type !== 'whiteout') await chmod(full, entry.mode & 0o7777);
    if (restoreOwners) await lchown(full, entry.uid, entry.gid).catch(() => undefined);
    const seconds = entry.mtimeMs / 1000;
    await lutimes(full, seconds, seconds).catch(() => undefined);
  }
  return { files, bytes };
}

async function streamConfined(path: string, source: Readable, entry: ManifestEntry): Promise<void> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const handle = await open(path, CREATE_FLAGS, 0o600);
  try {
    if (entry.part?.codec === 'raw') await pipeline(source, tap, handle.createWriteStream());
    else await pipeline(source, createGunzip(), tap, handle.createWriteStream());
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (hash.digest('hex') !== entry.sha256)
    throw new Error(`snapshot content of ${entry.path} does not match its checksum`);
}

/** Creates a new file; refuses to follow a link or reuse a path, whatever the manifest says. */
async function writeConfined(path: string, content: Buffer): Promise<void> {
  const handle = await open(path, CREATE_FLAGS, 0o600);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** Empties `root` without following links out of it (rm does not follow symlinks). */
export async function emptyDirectory(root: string): Promise<void> {
  const stats = await lstat(root);
  if (!stats.isDirectory()) throw new Error(`${root} is not a directory`);
  for (const name of await readdir(root)) await rm(join(root, name), { recursive: true, force: true });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
