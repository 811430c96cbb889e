import { execFileSync } from 'node:child_process';

/** What this host's bubblewrap can do; decides how a session's writable layer is made. */
export interface BwrapHost {
  version: string;
  /** `--overlay-src/--overlay` exist (bubblewrap ≥ 0.10). */
  nativeOverlay: boolean;
  /** The server runs as root: it can mount overlayfs itself and drop the sandbox to an unprivileged uid. */
  root: boolean;
}

export function probeBwrap(): BwrapHost | { missing: string } {
  let output: string;
  try {
    output = execFileSync('bwrap', ['--version'], { encoding: 'utf8', env: { PATH: HOST_PATH } });
  } catch (error) {
    return { missing: `bubblewrap is not usable: ${(error as Error).message} (apt-get install bubblewrap)` };
  }
  const version = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  const major = Number(version?.[1] ?? 0);
  const minor = Number(version?.[2] ?? 0);
  return {
    version: version?.[0] ?? output.trim(),
    nativeOverlay: major > 0 || minor >= 10,
    root: process.getuid?.() === 0,
  };
}

export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
