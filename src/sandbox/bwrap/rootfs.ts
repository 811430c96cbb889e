import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RootfsOptions {
  /** Cache directory holding built root filesystems. */
  cacheDir: string;
  mirror: string;
  /** Host uid/gid that owns the tree, i.e. what the sandbox's root maps to. */
  ownerUid: number;
  log: (message: string) => void;
}

const SUITE = 'bookworm';
const INCLUDE = ['ripgrep', 'ca-certificates', 'git', 'curl', 'python3', 'procps'];
// Bump when the post-processing below changes, so caches are rebuilt.
const FORMAT = 1;
const READY = '.paddock-rootfs-ready';
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The cached base rootfs directory for these options (may not exist yet). */
export function rootfsPath(options: RootfsOptions): string {
  const key = JSON.stringify({ SUITE, INCLUDE, FORMAT, uid: options.ownerUid, mirror: options.mirror });
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return join(options.cacheDir, `${SUITE}-minbase-${hash}`);
}

export function rootfsReady(options: RootfsOptions): boolean {
  return existsSync(join(rootfsPath(options), READY));
}

const building = new Map<string, Promise<string>>();

/**
 * Returns the base rootfs, building it once with debootstrap (about 60–120 s,
 * about 400 MB) if the cache lacks it. Built in a temporary directory and
 * renamed into place, so a crash never leaves a half-built tree that looks ready.
 */
export function ensureRootfs(options: RootfsOptions): Promise<string> {
  const target = rootfsPath(options);
  if (rootfsReady(options)) return Promise.resolve(target);
  let pending = building.get(target);
  if (!pending) {
    pending = build(options, target).finally(() => building.delete(target));
    building.set(target, pending);
  }
  return pending;
}

async function build(options: RootfsOptions, target: string): Promise<string> {
  if (process.getuid?.() !== 0)
    throw new Error(
      `the sandbox rootfs ${target} is missing and building it needs root (debootstrap); ` +
        'run `paddock sandbox prepare` as root once',
    );
  await mkdir(options.cacheDir, { recursive: true });
  const temp = `${target}.building-${process.pid}`;
  const logPath = `${target}.build.log`;
  await rm(temp, { recursive: true, force: true });
  options.log(`paddock: building sandbox rootfs ${target} (debootstrap ${SUITE}, log ${logPath})`);
  const started = Date.now();
  const args = ['--variant=minbase', `--include=${INCLUDE.join(',')}`, SUITE, temp, options.mirror];
  await run('debootstrap', args, logPath);
  await finish(temp, options.ownerUid, logPath);
  await writeFile(join(temp, READY), `${new Date().toISOString()}\n`);
  try {
    await rename(temp, target);
  } catch (error) {
    // Another process finished first; theirs is as good as ours.
    await rm(temp, { recursive: true, force: true });
    if (!existsSync(join(target, READY))) throw error;
  }
  options.log(`paddock: sandbox rootfs ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return target;
}

/** Trims the tree, prepares /workspace, and hands ownership to the sandbox uid. */
async function finish(root: string, uid: number, logPath: string): Promise<void> {
  await run(
    '/bin/sh',
    [
      '-c',
      `set -e
      rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/* "$1"/usr/share/doc/* "$1"/usr/share/man/*
      mkdir -p "$1"/workspace "$1"/etc/apt/apt.conf.d
      # The sandbox has one mapped uid, so apt cannot drop to _apt.
      echo 'APT::Sandbox::User "root";' > "$1"/etc/apt/apt.conf.d/99paddock
      echo paddock > "$1"/etc/hostname
      chown -R "$2:$2" "$1"`,
      'finish',
      root,
      String(uid),
    ],
    logPath,
  );
}

function run(command: string, args: string[], logPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: HOST_PATH } });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', (error) => {
      log.end();
      reject(new Error(`${command}: ${error.message} (is it installed? apt-get install debootstrap)`));
    });
    child.on('close', (code) => {
      log.end();
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${code}; see ${logPath}`));
    });
  });
}
