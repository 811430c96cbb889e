import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { FileBlobStore } from '../../core/ports/file-blobs.js';
import type { WorkspaceSnapshotRepository } from '../../core/ports/store.js';
import type {
  RestoreOutcome,
  SaveOutcome,
  WorkspaceSnapshots,
} from '../../core/ports/workspace-snapshots.js';
import { blobIds, decodeManifest, encodeManifest, type ManifestEntry } from './manifest.js';
import { applyManifest, emptyDirectory } from './restore-snapshot.js';
import { buildSnapshot } from './save-snapshot.js';

export interface BlobWorkspaceSnapshotsOptions {
  repository: WorkspaceSnapshotRepository;
  blobs: FileBlobStore;
  /** Per-session bookkeeping on this node: which generation its files are, and their manifest. */
  stateDir: string;
  /** Where large files are compressed before upload: beside the blob store's own files. */
  stageDir: string;
  /** A workspace larger than this is not snapshotted (the disk quota bounds it anyway). */
  maxBytes: number;
  /** Restore owners (uid/gid) as recorded: only a root server may. */
  restoreOwners: boolean;
  log: (message: string) => void;
}

/** What this node knows of a session's files: the generation they are, and their entries. */
interface LocalState {
  generation: number;
  manifestId: string | null;
  entries: ManifestEntry[];
}

/**
 * Snapshots in blob storage with their head in the database (`workspace_snapshots`): the
 * manifest (path → size, mtime, mode, sha256, part) and the compressed parts are blobs;
 * the head row is advanced compare-and-set, so a node with a stale view never overwrites a
 * newer snapshot. Calls for one session run one at a time.
 */
export class BlobWorkspaceSnapshots implements WorkspaceSnapshots {
  private readonly states = new Map<string, LocalState>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: BlobWorkspaceSnapshotsOptions) {}

  restore(sessionId: string, dir: string): Promise<RestoreOutcome> {
    return this.serially(sessionId, () => this.restoreNow(sessionId, dir));
  }

  save(sessionId: string, dir: string): Promise<SaveOutcome> {
    return this.serially(sessionId, () => this.saveNow(sessionId, dir));
  }

  delete(sessionId: string): Promise<void> {
    return this.serially(sessionId, async () => {
      const { repository, blobs } = this.options;
      const head = await repository.head(sessionId);
      const local = await this.local(sessionId);
      let entries = local?.entries ?? [];
      if (head?.manifestId && head.generation !== local?.generation) {
        entries = await this.readManifest(head.manifestId, head.manifestSha256)
          .then((manifest) => manifest.entries)
          .catch(() => []);
      }
      await repository.delete(sessionId);
      const ids = new Set(entries.flatMap((entry) => (entry.part ? [entry.part.blob] : [])));
      if (head?.manifestId) ids.add(head.manifestId);
      for (const id of ids) await blobs.delete(id).catch(() => undefined);
      this.states.delete(sessionId);
      await rm(this.statePath(sessionId), { force: true });
    });
  }

  private async restoreNow(sessionId: string, dir: string): Promise<RestoreOutcome> {
    const { repository } = this.options;
    const head = await repository.head(sessionId);
    if (!head) {
      // Generation 0, no manifest: "this session has had a sandbox", for any node that looks later.
      const now = new Date().toISOString();
      const mark = { sessionId, generation: 0, manifestId: null, manifestSha256: null, createdAt: now };
      await repository.advance(mark, undefined);
      await this.setLocal(sessionId, { generation: 0, manifestId: null, entries: [] });
      return { type: 'new' };
    }
    const local = await this.local(sessionId);
    // An empty layer where files were recorded was removed behind our back: restore it all the same.
    const emptied = local !== undefined && local.entries.length > 0 && (await readdir(dir)).length === 0;
    if (local?.generation === head.generation && !emptied) return { type: 'current' };
    await emptyDirectory(dir);
    if (!head.manifestId) {
      await this.setLocal(sessionId, { generation: head.generation, manifestId: null, entries: [] });
      return { type: 'lost', reason: 'the node that ran it stopped before its files were snapshotted' };
    }
    try {
      const manifest = await this.readManifest(head.manifestId, head.manifestSha256);
      const restored = await applyManifest(dir, manifest, this.options.blobs, this.options.restoreOwners);
      await this.setLocal(sessionId, {
        generation: head.generation,
        manifestId: head.manifestId,
        entries: manifest.entries,
      });
      return { type: 'restored', ...restored, generation: head.generation };
    } catch (error) {
      await emptyDirectory(dir).catch(() => undefined);
      // The next snapshot starts over from an empty workspace, on top of this generation.
      await this.setLocal(sessionId, {
        generation: head.generation,
        manifestId: head.manifestId,
        entries: [],
      });
      const reason = error instanceof Error ? error.message : String(error);
      this.options.log(`paddock: workspace snapshot of ${sessionId} could not be restored: ${reason}`);
      return { type: 'lost', reason: `its snapshot could not be restored (${reason})` };
    }
  }

  private async saveNow(sessionId: string, dir: string): Promise<SaveOutcome> {
    const { repository, blobs } = this.options;
    let local = await this.local(sessionId);
    if (!local) {
      const head = await repository.head(sessionId);
      // Files this node never restored: snapshot them whole on top of whatever is newest.
      local = { generation: head?.generation ?? -1, manifestId: head?.manifestId ?? null, entries: [] };
    }
    const generation = local.generation + 1;
    const tag = `${generation}_${randomBytes(6).toString('hex')}`;
    const previous = new Map(local.entries.map((entry) => [entry.path, entry]));
    const built = await buildSnapshot({
      sessionId,
      tag,
      root: dir,
      previous,
      blobs,
      stageDir: this.options.stageDir,
      maxBytes: this.options.maxBytes,
    });
    if (built.type === 'unchanged') return { type: 'unchanged' };
    if (built.type === 'too_large') {
      this.options.log(`paddock: workspace of ${sessionId} (${built.bytes} bytes) is too large to snapshot`);
      return { type: 'skipped', reason: `the workspace holds ${built.bytes} bytes, over the snapshot bound` };
    }
    const manifestId = blobIds.manifest(sessionId, tag);
    const createdAt = new Date().toISOString();
    const encoded = encodeManifest({ version: 1, sessionId, generation, createdAt, entries: built.entries });
    await blobs.put(manifestId, { bytes: encoded.bytes });
    await blobs.forgetLocal?.(manifestId);
    const head = { sessionId, generation, manifestId, manifestSha256: encoded.sha256, createdAt };
    const expected = local.generation < 0 ? undefined : local.generation;
    const newBlobs = new Set(built.entries.flatMap((entry) => (entry.part ? [entry.part.blob] : [])));
    const oldBlobs = new Set(local.entries.flatMap((entry) => (entry.part ? [entry.part.blob] : [])));
    if (!(await repository.advance(head, expected))) {
      // Another node snapshotted meanwhile: ours is dropped, its is the truth.
      for (const id of [manifestId, ...newBlobs].filter((id) => !oldBlobs.has(id)))
        await blobs.delete(id).catch(() => undefined);
      this.states.delete(sessionId);
      await rm(this.statePath(sessionId), { force: true });
      return { type: 'skipped', reason: 'another node snapshotted this session meanwhile' };
    }
    await this.setLocal(sessionId, { generation, manifestId, entries: built.entries });
    // What the previous snapshot alone used is garbage now.
    const garbage = [...oldBlobs].filter((id) => !newBlobs.has(id));
    if (local.manifestId) garbage.push(local.manifestId);
    for (const id of garbage) await blobs.delete(id).catch(() => undefined);
    return {
      type: 'saved',
      generation,
      changedFiles: built.changedFiles,
      uploadedBytes: built.uploadedBytes,
    };
  }

  private async readManifest(id: string, sha: string | null) {
    const bytes = await readAll(await this.options.blobs.open(id));
    await this.options.blobs.forgetLocal?.(id);
    return decodeManifest(bytes, sha);
  }

  private async local(sessionId: string): Promise<LocalState | undefined> {
    const cached = this.states.get(sessionId);
    if (cached) return cached;
    try {
      const state = JSON.parse(await readFile(this.statePath(sessionId), 'utf8')) as LocalState;
      this.states.set(sessionId, state);
      return state;
    } catch {
      return undefined;
    }
  }

  private async setLocal(sessionId: string, state: LocalState): Promise<void> {
    this.states.set(sessionId, state);
    await mkdir(this.options.stateDir, { recursive: true });
    // Written beside it and renamed over it, so a crash never leaves half a state file.
    const path = this.statePath(sessionId);
    const temp = `${path}.${randomBytes(6).toString('hex')}.writing`;
    await writeFile(temp, JSON.stringify(state), { mode: 0o600 });
    await rename(temp, path);
  }

  private statePath(sessionId: string): string {
    return join(this.options.stateDir, `${sessionId}.snapshot.json`);
  }

  private serially<T>(sessionId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.queues.set(sessionId, settled);
    void settled.then(() => {
      if (this.queues.get(sessionId) === settled) this.queues.delete(sessionId);
    });
    return next;
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
