import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type PaddockConfig } from '../../src/config/config.js';
import type { Sandbox, SandboxDriver, ToolOutcome } from '../../src/core/ports/sandbox.js';
import { createBwrapDriver, rootfsOptions } from '../../src/sandbox/bwrap/bwrap-driver.js';
import { probeBwrap } from '../../src/sandbox/bwrap/bwrap-host.js';
import { ensureRootfs } from '../../src/sandbox/bwrap/rootfs.js';
import { createProcessDriver } from '../../src/sandbox/process/process-driver.js';

/** A machine-wide cache so test runs build the Debian rootfs only once. */
export const TEST_ROOTFS_DIR = process.env['PADDOCK_TEST_ROOTFS_DIR'] ?? '/var/cache/paddock/rootfs';

export interface DriverCase {
  name: string;
  /** Why this driver cannot run here; undefined when it can. */
  skip: string | undefined;
  create(): Promise<{ driver: SandboxDriver; config: PaddockConfig }>;
}

async function testConfig(driver: string): Promise<PaddockConfig> {
  const dataDir = await mkdtemp(join(tmpdir(), `paddock-sandbox-${driver}-`));
  return loadConfig({
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
  async create() {
    const config = await testConfig('process');
    return { driver: createProcessDriver(config, { log: quiet }), config };
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
    async create() {
      const config = await testConfig('bwrap');
      return { driver: await createBwrapDriver(config, { log: quiet }), config };
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
