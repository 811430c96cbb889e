import { TEST_ROOTFS_DIR } from '../sandbox/drivers.js';
import { childEnv, freePort } from './paddock-process.js';

/** The environment of a `paddock serve` child with real bwrap sandboxes on a subnet of the test's own. */
export async function bwrapServeEnv(options: {
  dataDir: string;
  adminKey: string;
  modelUrl: string;
  /** e.g. '10.90.7.': what the test sees in the host's routes is then its own sandboxes'. */
  subnetPrefix: string;
  extra?: Record<string, string>;
}): Promise<Record<string, string>> {
  return childEnv({
    PADDOCK_DATA_DIR: options.dataDir,
    PADDOCK_PORT: String(await freePort()),
    PADDOCK_HOST: '127.0.0.1',
    PADDOCK_ADMIN_KEY: options.adminKey,
    PADDOCK_ANTHROPIC_BASE_URL: options.modelUrl,
    ANTHROPIC_API_KEY: 'test-upstream-key',
    PADDOCK_SANDBOX: 'bwrap',
    PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR,
    PADDOCK_SANDBOX_SUBNET: `${options.subnetPrefix}0/24`,
    ...options.extra,
  });
}

/** Polls `check` until it holds; the timeout only bounds a hung test. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
