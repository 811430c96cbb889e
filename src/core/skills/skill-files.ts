import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { unzipSync, zipSync } from 'fflate';
import type { FileBlobStore } from '../ports/file-blobs.js';
import type { SkillVersion } from './skill.js';

/**
 * A version's files: stored as one zip (wrapped in a directory named after the skill, the shape
 * the SDK's `setupSkills` extracts and `download` returns) in the FileBlobStore under the
 * version's id; extracted once per node into `<dataDir>/skills/<version id>/<name>/` for sandbox
 * mounts. Versions never change, so an extracted copy is current for good.
 */
export class SkillFiles {
  private readonly directory: string;

  constructor(
    private readonly blobs: FileBlobStore,
    dataDir: string,
  ) {
    this.directory = join(dataDir, 'skills');
  }

  async put(version: SkillVersion, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
    const tree: Record<string, Uint8Array> = {};
    for (const [path, bytes] of files) tree[`${version.name}/${path}`] = bytes;
    // Stored, not deflated: deflating 8 MiB of already compressed files took seconds on a busy
    // node, and skills are small; the bytes are checked and bounded by the upload limit anyway.
    await this.blobs.put(version.id, { bytes: Buffer.from(zipSync(tree, { level: 0 })) });
  }

  open(versionId: string): Promise<Readable> {
    return this.blobs.open(versionId);
  }

  async delete(versionId: string): Promise<void> {
    await this.blobs.delete(versionId);
    await rm(join(this.directory, versionId), { recursive: true, force: true });
  }

  /** A host directory holding the version's files (SKILL.md at its top), for a read-only mount. */
  async hostDirectory(version: SkillVersion): Promise<string> {
    const root = join(this.directory, version.id);
    const target = join(root, version.name);
    if (existsSync(target)) return target;
    const archive = await readFile(await this.blobs.materialize(version.id));
    const staging = join(this.directory, `.extracting-${randomBytes(8).toString('hex')}`);
    try {
      // The archive was written by `put` from checked paths, all under `<name>/`.
      for (const [path, bytes] of Object.entries(unzipSync(new Uint8Array(archive)))) {
        if (path.endsWith('/')) continue;
        const file = join(staging, path);
        await mkdir(dirname(file), { recursive: true, mode: 0o755 });
        await writeFile(file, bytes, { mode: 0o644 });
      }
      await mkdir(join(staging, version.name), { recursive: true, mode: 0o755 });
      await mkdir(this.directory, { recursive: true });
      // Two sessions extracting at once: the first rename wins, the other's copy is dropped.
      await rename(staging, root).catch((error: NodeJS.ErrnoException) => {
        if (!existsSync(target)) throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return target;
  }
}
