import { chown, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A session's files on the host. With overlayfs they are the overlay's upper
 * directory (every change to the sandbox's root); without it, a workspace and
 * a home directory bound into a read-only base. Both survive stop/acquire.
 */
export interface SessionLayer {
  dir: string;
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
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'overlay-work'),
    workspace: join(dir, 'workspace'),
    home: join(dir, 'home'),
    mounts: join(dir, 'mounts'),
  };
}

export async function prepareLayer(
  layer: SessionLayer,
  overlay: boolean,
  owner: number | undefined,
): Promise<void> {
  const dirs = overlay ? [layer.upper, layer.work] : [layer.workspace, layer.home];
  // Traversable by the sandbox uid: bwrap binds staged resources from here.
  await mkdir(layer.mounts, { recursive: true, mode: 0o755 });
  for (const dir of dirs) await mkdir(dir, { recursive: true, mode: 0o755 });
  // The upper directory's owner becomes the owner of the sandbox's `/`.
  if (owner !== undefined) for (const dir of dirs) await chown(dir, owner, owner);
}

export async function removeLayer(layer: SessionLayer): Promise<void> {
  await rm(layer.dir, { recursive: true, force: true });
}
