import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A session's files on the host. With overlayfs they are the overlay's upper
 * directory (every change to the sandbox's root); without it, a workspace and
 * a home directory bound into a read-only base. Both survive stop/acquire.
 *
 * With a disk quota (disk-quota.ts) everything the session writes — upper,
 * overlay work dir, staged resources — lives on `image`, mounted at `disk`
 * while its sandbox runs; without one, `disk` is a plain directory.
 */
export interface SessionLayer {
  dir: string;
  /** The session's sparse ext4 image (only with a disk quota). */
  image: string;
  /** Where the image is mounted; upper, work and mounts are inside it. */
  disk: string;
  upper: string;
  work: string;
  workspace: string;
  home: string;
  /** Staged session resources (file copies, cloned repositories), bound into the sandbox. */
  mounts: string;
}

/** Every session's directory; one exists for each session not yet deleted. */
export function sessionsDir(dataDir: string): string {
  return join(dataDir, 'sandboxes');
}

export function sessionLayer(dataDir: string, sessionId: string): SessionLayer {
  const dir = join(sessionsDir(dataDir), sessionId);
  const disk = join(dir, 'disk');
  return {
    dir,
    image: join(dir, 'disk.img'),
    disk,
    upper: join(disk, 'upper'),
    work: join(disk, 'overlay-work'),
    workspace: join(dir, 'workspace'),
    home: join(dir, 'home'),
    mounts: join(disk, 'mounts'),
  };
}

/**
 * The session's overlay upper directory on the host: every file the session
 * changed. With a disk quota it is readable while the session's disk is
 * mounted (while its sandbox runs).
 */
export function sessionUpperDir(dataDir: string, sessionId: string): string {
  return sessionLayer(dataDir, sessionId).upper;
}

export async function prepareLayer(
  layer: SessionLayer,
  overlay: boolean,
  owner: number | undefined,
): Promise<void> {
  const dirs = overlay ? [layer.upper, layer.work] : [layer.workspace, layer.home];
  await mkdir(layer.disk, { recursive: true, mode: 0o755 });
  if (overlay) await moveLegacyUpper(layer);
  // Traversable by the sandbox uid: bwrap binds staged resources from here.
  await mkdir(layer.mounts, { recursive: true, mode: 0o755 });
  for (const dir of dirs) await mkdir(dir, { recursive: true, mode: 0o755 });
  // The upper directory's owner becomes the owner of the sandbox's `/`.
  if (owner !== undefined) for (const dir of dirs) await chown(dir, owner, owner);
}

/**
 * Sessions started before disk quotas kept their upper directly in the
 * session directory; their files move to `layer.upper` (onto the session's
 * disk, when it has one) at their next start, so nobody's files vanish.
 */
async function moveLegacyUpper(layer: SessionLayer): Promise<void> {
  const legacy = join(layer.dir, 'upper');
  if (!existsSync(legacy)) return;
  await mkdir(layer.upper, { recursive: true, mode: 0o755 });
  // cp -a keeps owners, modes, whiteouts (0/0 character devices) and overlay xattrs; rename cannot
  // cross onto the session's own filesystem.
  await new Promise<void>((resolve, reject) =>
    execFile('cp', ['-a', `${legacy}/.`, `${layer.upper}/`], (error, _stdout, stderr) =>
      error
        ? reject(
            new Error(`could not move the session's files onto its disk: ${stderr.trim() || error.message}`),
          )
        : resolve(),
    ),
  );
  await rm(legacy, { recursive: true, force: true });
  await rm(join(layer.dir, 'overlay-work'), { recursive: true, force: true });
}

export async function removeLayer(layer: SessionLayer): Promise<void> {
  await rm(layer.dir, { recursive: true, force: true });
}
