import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { ManifestEntry } from './manifest.js';

/** What a scan sees of one path: the manifest fields that need no reading of content. */
export type ScannedEntry = Omit<ManifestEntry, 'sha256' | 'part'>;

/**
 * Every path under `root`, parents before children, never following a symlink (a link
 * is recorded as a link). Sockets, fifos and devices are skipped; the only character
 * device kept is overlayfs's whiteout (0/0). Synchronous on purpose: a walk of a few
 * thousand entries takes a few milliseconds, less than the promise overhead per entry.
 */
export function scanWorkspace(root: string): ScannedEntry[] {
  const out: ScannedEntry[] = [];
  const walk = (relative: string) => {
    const names = readdirSync(relative ? join(root, relative) : root).sort();
    for (const name of names) {
      const path = relative ? `${relative}/${name}` : name;
      const full = join(root, path);
      let stats: Stats;
      try {
        stats = lstatSync(full);
      } catch {
        continue; // removed while we looked: the next snapshot sees it gone
      }
      const entry = describe(path, full, stats);
      if (!entry) continue;
      out.push(entry);
      if (entry.type === 'dir') walk(path);
    }
  };
  walk('');
  return out;
}

function describe(path: string, full: string, stats: Stats): ScannedEntry | undefined {
  const common = {
    path,
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    gid: stats.gid,
    // Rounded: a restore sets times in float seconds, which come back a hair under the millisecond.
    mtimeMs: Math.round(stats.mtimeMs),
    size: 0,
  };
  if (stats.isDirectory()) return { ...common, type: 'dir' };
  if (stats.isFile()) return { ...common, type: 'file', size: stats.size };
  if (stats.isSymbolicLink()) {
    try {
      return { ...common, type: 'symlink', target: readlinkSync(full) };
    } catch {
      return undefined;
    }
  }
  if (stats.isCharacterDevice() && stats.rdev === 0) return { ...common, type: 'whiteout' };
  return undefined;
}
