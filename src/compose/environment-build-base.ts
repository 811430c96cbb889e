import { basename } from 'node:path';
import type { PaddockConfig } from '../config/config.js';
import { rootfsOptions } from '../sandbox/bwrap/bwrap-driver.js';
import { rootfsPath } from '../sandbox/bwrap/rootfs.js';
import { sandboxSettings } from './adapter-options.js';

/**
 * The base an environment build starts from, as part of its key: the bwrap rootfs's name (its
 * suite, packages, format, owner and mirror), the same on every node with the same settings;
 * another driver's name otherwise.
 */
export function buildBaseId(config: PaddockConfig): string {
  const driver = config.sandboxDriver ?? 'bwrap';
  if (driver !== 'bwrap') return driver;
  return `bwrap:${basename(rootfsPath(rootfsOptions(sandboxSettings(config), () => {})))}`;
}
