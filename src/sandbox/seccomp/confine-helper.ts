import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HOST_PATH } from '../bwrap/bwrap-host.js';
import { CONFINE_SOURCE } from './confine-source.js';
import { buildSeccompFilter, hostSeccompArch } from './seccomp-filter.js';

const run = promisify(execFile);

/** Where a sandbox sees the helper directory: a mount point under bwrap's own /dev (see bwrap-launch.ts). */
export const CONFINE_DIR_INSIDE = '/dev/.paddock';
export const CONFINE_INSIDE = `${CONFINE_DIR_INSIDE}/confine`;
export const FILTER_INSIDE = `${CONFINE_DIR_INSIDE}/seccomp.bpf`;

/** A built helper: a host directory holding `confine` and `seccomp.bpf`, bound read-only into sandboxes. */
export interface ConfineHelper {
  dir: string;
  filter: string;
}

/**
 * Builds the confine helper and the seccomp filter once per content into
 * `<cacheDir>/confine-<hash>/` (gcc -static; needs gcc and libc6-dev on the
 * host, checked by `paddock doctor`). Built aside and renamed into place, so
 * servers sharing the cache never see half a helper.
 */
export async function ensureConfineHelper(cacheDir: string): Promise<ConfineHelper> {
  const arch = hostSeccompArch();
  if (!arch) throw new Error(`sandbox seccomp filter: unsupported architecture ${process.arch}`);
  const filter = buildSeccompFilter(arch);
  const hash = createHash('sha256').update(CONFINE_SOURCE).update(filter).digest('hex').slice(0, 16);
  const dir = join(cacheDir, `confine-${hash}`);
  const helper = { dir, filter: join(dir, 'seccomp.bpf') };
  if (existsSync(join(dir, 'confine')) && existsSync(helper.filter)) return helper;
  await mkdir(cacheDir, { recursive: true });
  const staging = await mkdtemp(join(cacheDir, '.confine-'));
  try {
    await writeFile(join(staging, 'confine.c'), CONFINE_SOURCE);
    await run(
      'gcc',
      ['-static', '-O2', '-Wall', '-o', join(staging, 'confine'), join(staging, 'confine.c')],
      {
        env: { PATH: HOST_PATH },
      },
    ).catch((error: Error & { stderr?: string }) => {
      throw new Error(
        `cannot build the sandbox confine helper (needs gcc and libc6-dev): ${error.stderr?.trim() || error.message}`,
      );
    });
    await writeFile(join(staging, 'seccomp.bpf'), filter, { mode: 0o644 });
    await rm(join(staging, 'confine.c'));
    await chmod(join(staging, 'confine'), 0o755);
    await chmod(staging, 0o755);
    await rename(staging, dir).catch((error: NodeJS.ErrnoException) => {
      // Another server finished first: its copy is the same content.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return helper;
}
