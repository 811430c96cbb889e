import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type PaddockConfig } from '../../src/config/config.js';
import type { Sandbox, SandboxDriver, ToolOutcome } from '../../src/core/ports/sandbox.js';
import type { WorkspaceSnapshots } from '../../src/core/ports/workspace-snapshots.js';
import { createBwrapDriver, rootfsOptions } from '../../src/sandbox/bwrap/bwrap-driver.js';
import { probeBwrap } from '../../src/sandbox/bwrap/bwrap-host.js';
import { ensureRootfs } from '../../src/sandbox/bwrap/rootfs.js';
import type { EgressNet } from '../../src/sandbox/network/egress-proxy.js';
import type { OnOutputs } from '../../src/sandbox/outputs/output-collector.js';
import { effectiveLimits, type SandboxPool } from '../../src/sandbox/pool/sandbox-pool.js';
import { createProcessDriver } from '../../src/sandbox/process/process-driver.js';

/** A machine-wide cache so test runs build the Debian rootfs only once. */
export const TEST_ROOTFS_DIR = process.env['PADDOCK_TEST_ROOTFS_DIR'] ?? '/var/cache/paddock/rootfs';

export interface DriverCase {
  name: string;
  /** Why this driver cannot run here; undefined when it can. */
  skip: string | undefined;
  create(options?: CreateOptions): Promise<{ driver: PooledDriver; config: PaddockConfig }>;
}

export interface CreateOptions {
  onOutputs?: OnOutputs;
  /** Extra PADDOCK_* variables (e.g. PADDOCK_GITHUB_BASE_URL). */
  env?: Record<string, string>;
  /** bwrap only, test-only: the egress proxy's resolver and dialer. */
  egressNet?: EgressNet;
  /** Reuse a data directory (a "restarted server"). */
  dataDir?: string;
  /**
   * bwrap only: PADDOCK_SANDBOX_POOL_SIZE (unset: the default). Above 0, each session's first
   * acquire waits for a warm member of its key, so the session really gets a pooled sandbox.
   */
  pool?: number;
  /** bwrap only: portable workspaces (restored before a sandbox's first tool call). */
  snapshots?: WorkspaceSnapshots;
}

/** The pool variants the isolation and network tests run under: no pool, and a warm one. */
export const POOL_VARIANTS = [{ pool: 0 }, { pool: 1 }] as const;

export type PooledDriver = SandboxDriver & { pool?: SandboxPool | undefined };

/** Acquires through the pool: a session's first acquire waits until a member of its key is warm. */
export function warmFirst(driver: PooledDriver, config: PaddockConfig): PooledDriver {
  const seen = new Set<string>();
  // One first acquire at a time: sessions starting together would otherwise race for one member.
  let queue: Promise<unknown> = Promise.resolve();
  const wrapped: PooledDriver = {
    ...driver,
    async acquire(spec) {
      const pool = driver.pool;
      if (!pool || seen.has(spec.sessionId)) return driver.acquire(spec);
      seen.add(spec.sessionId);
      const first = queue.then(async () => {
        await pool.warm(spec, effectiveLimits(config.sandbox, spec));
        return driver.acquire(spec);
      });
      queue = first.catch(() => {});
      return first;
    },
  };
  warmedSessions.set(wrapped, seen);
  return wrapped;
}

const warmedSessions = new WeakMap<PooledDriver, Set<string>>();

/** For a pooled variant's last test: every session acquired took a warm member, none started fresh. */
export function assertAllPooled(driver: PooledDriver): void {
  const stats = driver.pool?.stats();
  const sessions = warmedSessions.get(driver)?.size ?? 0;
  if (!stats) throw new Error('this driver has no pool');
  if (sessions === 0 || stats.handedOut !== sessions || stats.misses !== 0)
    throw new Error(`expected ${sessions} pooled sessions and no miss, got ${JSON.stringify(stats)}`);
}

async function testConfig(driver: string, options: CreateOptions = {}): Promise<PaddockConfig> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), `paddock-sandbox-${driver}-`)));
  return loadConfig({
    ...(options.pool === undefined ? {} : { PADDOCK_SANDBOX_POOL_SIZE: String(options.pool) }),
    ...options.env,
    PADDOCK_DATA_DIR: dataDir,
    PADDOCK_SANDBOX: driver,
    PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR,
    PADDOCK_SANDBOX_IDLE_MS: '0',
  });
}

const quiet = () => {};

export const processCase: DriverCase = {
  name: 'process',
  skip: undefined,
  async create(options) {
    const config = await testConfig('process', options);
    return { driver: createProcessDriver(config, { log: quiet, onOutputs: options?.onOutputs }), config };
  },
};

/** Builds (or finds) the rootfs up front so a failure becomes a printed skip reason. */
export async function bwrapCase(): Promise<DriverCase> {
  const host = probeBwrap();
  let skip: string | undefined = 'missing' in host ? host.missing : undefined;
  if (!skip && process.platform !== 'linux') skip = 'bwrap needs Linux';
  if (!skip) {
    try {
      // Only the rootfs cache matters here, so no data directory is created.
      const config = loadConfig({ PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR });
      await ensureRootfs(rootfsOptions(config, (message) => process.stderr.write(`${message}\n`)));
    } catch (error) {
      skip = `cannot build the sandbox rootfs: ${(error as Error).message}`;
    }
  }
  if (skip) process.stderr.write(`SKIP bwrap sandbox driver: ${skip}\n`);
  return {
    name: 'bwrap',
    skip,
    async create(options) {
      const config = await testConfig('bwrap', options);
      const driver = await createBwrapDriver(config, {
        log: quiet,
        onOutputs: options?.onOutputs,
        egressNet: options?.egressNet,
        snapshots: options?.snapshots,
      });
      return { driver: options?.pool ? warmFirst(driver, config) : driver, config };
    },
  };
}

export function spec(sessionId: string) {
  return { sessionId, environmentId: 'env_test', network: { type: 'limited' as const } };
}

export async function tool(
  sandbox: Sandbox,
  name: string,
  input: Record<string, unknown>,
): Promise<ToolOutcome> {
  return sandbox.runTool(name, input, new AbortController().signal);
}

export function textOf(outcome: ToolOutcome): string {
  const block = outcome.content[0];
  return block?.type === 'text' ? block.text : '';
}

export const cgroupsWritable = () =>
  existsSync('/sys/fs/cgroup/cgroup.controllers') || existsSync('/sys/fs/cgroup/memory/cgroup.procs');
