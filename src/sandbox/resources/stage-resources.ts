import { constants, existsSync } from 'node:fs';
import {
  chmod,
  chown,
  copyFile,
  cp,
  lchown,
  lstat,
  mkdir,
  readdir,
  rename,
  rm,
  stat,
} from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { SandboxSpec } from '../../core/ports/sandbox.js';
import type { BaseAddressCheck } from './git-base-address.js';
import { ensureRepository } from './git-repository.js';
import { stageMemoryDir } from './memory-dirs.js';

/** A session resource ready on the host: `source` is what the driver mounts at `sandboxPath`. */
export interface StagedMount {
  source: string;
  sandboxPath: string;
  readOnly: boolean;
}

export interface StageOptions {
  /** Where a resource for `sandboxPath` lives on the host (per session, outside the sandbox's reach). */
  place(sandboxPath: string): string;
  /** Host uid the staged copies belong to (the sandbox's root), when the server runs as root. */
  owner?: number | undefined;
  githubBaseUrl: string;
  /** The default base's address check (undefined when the operator configured the base). */
  githubBaseCheck?: BaseAddressCheck | undefined;
}

/**
 * Prepares a spec's session resources on the host, once per session:
 * - Files API objects are COPIED (reflinked where the filesystem can): the
 *   stored object is 0600 and server-owned, and must stay immutable whatever
 *   the sandbox does; the copy is 0444 and owned by the sandbox's root.
 * - repositories are cloned with the host's git (see git-repository.ts).
 * Throws an error naming the resource when one cannot be staged.
 */
export async function stageResources(spec: SandboxSpec, options: StageOptions): Promise<StagedMount[]> {
  const staged: StagedMount[] = [];
  for (const mount of spec.mounts ?? []) {
    const sandboxPath = normalizeSandboxPath(mount.sandboxPath);
    const source = options.place(sandboxPath);
    try {
      await stageFile(mount.hostPath, source, options.owner);
    } catch (error) {
      throw new Error(`cannot mount ${sandboxPath}: ${(error as Error).message}`);
    }
    staged.push({ source, sandboxPath, readOnly: mount.readOnly });
  }
  for (const repository of spec.repositories ?? []) {
    const sandboxPath = normalizeSandboxPath(repository.sandboxPath);
    const source = options.place(sandboxPath);
    await ensureRepository(repository, source, {
      baseUrl: options.githubBaseUrl,
      owner: options.owner,
      checkBase: options.githubBaseCheck,
    });
    staged.push({ source, sandboxPath, readOnly: false });
  }
  for (const mount of spec.memoryMounts ?? []) {
    const sandboxPath = normalizeSandboxPath(mount.sandboxPath);
    const source = options.place(sandboxPath);
    await stageMemoryDir(spec.sessionId, mount, source, options.owner);
    staged.push({ source, sandboxPath, readOnly: mount.readOnly });
  }
  return staged;
}

/** An absolute, `..`-free path: normalizing `/a/../../x` gives `/x`, so nothing climbs out of a root. */
export function normalizeSandboxPath(path: string): string {
  if (!path.startsWith('/')) throw new Error(`mount path ${JSON.stringify(path)} is not absolute`);
  const normalized = posix.normalize(path).replace(/\/+$/, '');
  if (normalized === '' || normalized.includes('\0'))
    throw new Error(`mount path ${JSON.stringify(path)} is not a usable path`);
  return normalized;
}

async function stageFile(hostPath: string, target: string, owner: number | undefined): Promise<void> {
  // Files API objects and skill versions never change under one id, so an existing copy is current.
  if (existsSync(target)) return;
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  const temp = `${target}.copying-${process.pid}`;
  if ((await stat(hostPath)).isDirectory()) {
    // A skill version's directory: copied whole, then read-only (bound read-only as well).
    await rm(temp, { recursive: true, force: true });
    await cp(hostPath, temp, { recursive: true, dereference: false, verbatimSymlinks: true });
    await readOnlyTree(temp, owner);
    await rename(temp, target);
    return;
  }
  await copyFile(hostPath, temp, constants.COPYFILE_FICLONE);
  await chmod(temp, 0o444);
  if (owner !== undefined) await chown(temp, owner, owner);
  await rename(temp, target);
}

/**
 * Files 0444, owned by the sandbox's root where the server can chown. Directories stay 0755 so
 * the session's files can be removed later; the read-only bind is what keeps the agent out.
 */
async function readOnlyTree(path: string, owner: number | undefined): Promise<void> {
  const entry = await lstat(path);
  if (entry.isDirectory()) {
    for (const name of await readdir(path)) await readOnlyTree(join(path, name), owner);
    await chmod(path, 0o755);
  } else if (entry.isFile()) {
    await chmod(path, 0o444);
  }
  if (owner !== undefined) await lchown(path, owner, owner);
}
