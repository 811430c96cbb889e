import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { EnvironmentBuildSpec, SandboxDriver } from '../../src/core/ports/sandbox.js';
import { bwrapCase, TEST_ROOTFS_DIR, textOf, tool } from './drivers.js';

// The bwrap driver's ahead-of-session build (SandboxDriver.prepareEnvironment). Needs the network
// (the Debian mirror) and a root server, like package-layers.test.ts.
const bwrap = await bwrapCase();
const skip =
  bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'package layers are built by a root server here');
const BUILD = { timeout: 300_000 };

describe('environment builds: bwrap prepareEnvironment', { skip }, () => {
  let driver: SandboxDriver;
  let config: PaddockConfig;
  before(async () => {
    ({ driver, config } = await bwrap.create());
  });
  after(async () => {
    await driver?.close();
    if (config) await rm(config.dataDir, { recursive: true, force: true });
  });

  const build = (apt: string[]): EnvironmentBuildSpec => ({
    environmentId: 'env_build_test',
    network: { type: 'limited', allow_package_managers: true },
    packages: { apt },
  });

  it('a package that does not exist fails with the log, and no host path in it', BUILD, async () => {
    const result = await driver.prepareEnvironment?.(build(['paddock-no-such-package-at-all']));
    assert.equal(result?.ok, false);
    assert.match(result?.log ?? '', /paddock-no-such-package-at-all/);
    assert.ok(!result?.log.includes(TEST_ROOTFS_DIR), result?.log);
  });

  it('a good package is ready, and a session then starts on the built layer', BUILD, async () => {
    const result = await driver.prepareEnvironment?.(build(['jq']));
    assert.equal(result?.ok, true, result?.log);
    const sandbox = await driver.acquire({ sessionId: 'eb1', ...build(['jq']) });
    assert.equal(textOf(await tool(sandbox, 'bash', { command: 'command -v jq' })), '/usr/bin/jq');
  });

  it('an invalid package name is a failed build, not a crash', async () => {
    const result = await driver.prepareEnvironment?.(build(['-oops']));
    assert.equal(result?.ok, false);
    assert.match(result?.log ?? '', /invalid package/);
  });
});
