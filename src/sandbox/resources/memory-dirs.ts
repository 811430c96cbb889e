import { createHash } from 'node:crypto';
import { chown, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type {
  MemoryFileChange,
  SandboxMemoryMount,
  SandboxSpec,
  ToolOutcome,
} from '../../core/ports/sandbox.js';

/**
 * Memory mounts on the host: a directory per mount, bound into the sandbox (read-only when the
 * attachment is). Before each tool call it is refreshed from the store; after it, what the agent
 * changed goes back to the store with the hash each file had at the refresh as precondition.
 */
interface MountState {
  dir: string;
  owner: number | undefined;
  /** path → content_sha256 as of the last refresh. */
  base: Map<string, string>;
}

const mounts = new Map<string, MountState>();
const key = (sessionId: string, sandboxPath: string) => `${sessionId}\0${sandboxPath}`;
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Called by stageResources: creates the mount's directory, owned by the sandbox's root. */
export async function stageMemoryDir(
  sessionId: string,
  mount: SandboxMemoryMount,
  dir: string,
  owner: number | undefined,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (owner !== undefined) await chown(dir, owner, owner);
  mounts.set(key(sessionId, mount.sandboxPath), { dir, owner, base: new Map() });
}

/** Brings every memory mount of the spec up to the store's current content. */
export async function refreshMemoryMounts(spec: SandboxSpec): Promise<void> {
  for (const mount of spec.memoryMounts ?? []) {
    const state = mounts.get(key(spec.sessionId, mount.sandboxPath));
    if (state) await refresh(state, mount);
  }
}

/** Hands the agent's changes to the stores; a note for the tool result when some were refused. */
export async function pushMemoryMounts(spec: SandboxSpec): Promise<string | undefined> {
  const problems: string[] = [];
  for (const mount of spec.memoryMounts ?? []) {
    const state = mounts.get(key(spec.sessionId, mount.sandboxPath));
    if (!state || mount.readOnly) continue;
    const local = await readTree(state.dir);
    const changes: MemoryFileChange[] = [];
    for (const [path, content] of local) {
      const base = state.base.get(path);
      if (base !== sha(content)) changes.push({ path, baseSha256: base ?? null, content });
    }
    for (const [path, base] of state.base)
      if (!local.has(path)) changes.push({ path, baseSha256: base, content: null });
    if (changes.length === 0) continue;
    for (const problem of await mount.source.write(changes)) problems.push(`${mount.sandboxPath}/${problem}`);
    // The directory now shows the store as it is, with the agent's refused changes replaced.
    await refresh(state, mount);
  }
  if (problems.length === 0) return undefined;
  return `Memory store changes not saved (the files now show the store's current content; re-read and redo them):\n${problems.join('\n')}`;
}

export function withMemoryNote(outcome: ToolOutcome, note: string | undefined): ToolOutcome {
  if (!note) return outcome;
  return { ...outcome, content: [...outcome.content, { type: 'text', text: note }] };
}

export function forgetMemoryMounts(sessionId: string): void {
  for (const name of mounts.keys()) if (name.startsWith(`${sessionId}\0`)) mounts.delete(name);
}

async function refresh(state: MountState, mount: SandboxMemoryMount): Promise<void> {
  const wanted = await mount.source.read();
  const local = await readTree(state.dir);
  for (const [path, content] of wanted) {
    if (local.get(path) === content) continue;
    const file = join(state.dir, path);
    await mkdirOwned(dirname(file), state);
    await rm(file, { recursive: true, force: true });
    await writeFile(file, content, { mode: 0o644 });
    if (state.owner !== undefined) await chown(file, state.owner, state.owner);
  }
  for (const path of local.keys()) if (!wanted.has(path)) await rm(join(state.dir, path), { force: true });
  state.base = new Map([...wanted].map(([path, content]) => [path, sha(content)]));
}

async function mkdirOwned(dir: string, state: MountState): Promise<void> {
  const rel = relative(state.dir, dir);
  if (rel === '' || rel.startsWith('..')) return;
  let current = state.dir;
  for (const part of rel.split('/')) {
    current = join(current, part);
    await mkdir(current, { recursive: true, mode: 0o755 });
    if (state.owner !== undefined) await chown(current, state.owner, state.owner);
  }
}

/** Regular files only: symlinks and other kinds an agent makes are not memories. */
async function readTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    out.set(relative(root, file), await readFile(file, 'utf8'));
  }
  return out;
}
