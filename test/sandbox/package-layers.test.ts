import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';
import { layerHash, normalizePackages } from '../../src/sandbox/bwrap/package-script.js';
import { bwrapCase, spec, TEST_ROOTFS_DIR, textOf, tool } from './drivers.js';

// Needs the network (Debian mirror and the npm registry); layers are cached in the machine-wide
// rootfs cache, so only the first run pays for the builds (~20 s each).
const bwrap = await bwrapCase();
const skip =
  bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'package layers are built by a root server here');
if (skip && !bwrap.skip) process.stderr.write(`SKIP package layers: ${skip}\n`);
const BUILD = { timeout: 300_000 };

describe('environment package layers: bwrap', { skip }, () => {
  let driver: SandboxDriver;
  let config: PaddockConfig;
  before(async () => {
    ({ driver, config } = await bwrap.create());
  });
  after(async () => {
    await driver?.close();
    if (config) await rm(config.dataDir, { recursive: true, force: true });
  });

  // Builds download under the environment's network policy, like its sessions.
  const withPackages = (sessionId: string, packages: SandboxSpec['packages']): SandboxSpec => ({
    ...spec(sessionId),
    network: { type: 'limited', allow_package_managers: true },
    packages,
  });
  const bash = async (sandboxSpec: SandboxSpec, command: string) =>
    tool(await driver.acquire(sandboxSpec), 'bash', { command });

  it(
    'apt and npm packages are installed once into a cached layer; concurrent sessions share one build',
    BUILD,
    async () => {
      const packages = { apt: ['jq'], npm: ['is-number@7.0.0'] };
      const started = Date.now();
      const [first, second] = await Promise.all([
        driver.acquire(withPackages('p1', packages)),
        driver.acquire(withPackages('p2', packages)),
      ]);
      const firstMs = Date.now() - started;
      const probe = `echo '{"a":41}' | jq .a; node -e "console.log(require('/usr/local/lib/node_modules/is-number')(5))"`;
      for (const sandbox of [first, second])
        assert.equal(textOf(await tool(sandbox, 'bash', { command: probe })), '41\ntrue');
      const hash = layerHash(await baseDir(), normalizePackages(packages)!);
      const layer = join(TEST_ROOTFS_DIR, 'layers', hash);
      assert.ok(existsSync(join(layer, 'build.log')), 'the build log is kept next to the layer');
      assert.ok(!existsSync(join(layer, 'lock')), 'the lock is released');
      const cached = Date.now();
      await driver.acquire(withPackages('p3', packages));
      const cachedMs = Date.now() - cached;
      assert.ok(cachedMs < 5000, `a cached layer took ${cachedMs} ms`);
      process.stderr.write(`package layer: first acquire ${firstMs} ms, cached ${cachedMs} ms\n`);
      // The session's own writes go to its upper layer, never into the shared layer.
      await bash(withPackages('p1', packages), 'rm /usr/bin/jq && echo removed');
      assert.equal(textOf(await bash(withPackages('p2', packages), 'command -v jq')), '/usr/bin/jq');
    },
  );

  it('a changed config builds a new layer that only new sessions see', BUILD, async () => {
    const before = { apt: ['jq'] };
    const changed = { apt: ['jq', 'tree'] };
    await bash(withPackages('c1', before), 'true');
    await driver.close();
    // A restarted server: session c1 keeps its layer though its environment changed.
    ({ driver } = await bwrap.create({ dataDir: config.dataDir }));
    const old = await bash(withPackages('c1', changed), 'command -v tree || echo none');
    assert.equal(textOf(old), 'none');
    const fresh = await bash(withPackages('c2', changed), 'command -v tree');
    assert.equal(textOf(fresh), '/usr/bin/tree');
  });

  it('a failed build is a clear error with the end of its log', BUILD, async () => {
    const broken = withPackages('f1', { apt: ['paddock-no-such-package'] });
    await assert.rejects(driver.acquire(broken), (error: Error) => {
      assert.match(error.message, /package layer build failed \(apt:paddock-no-such-package\)/);
      assert.match(error.message, /Unable to locate package paddock-no-such-package/);
      return true;
    });
  });

  it('a build gets no network its environment does not allow', BUILD, async () => {
    // `limited` without allow_package_managers: the Debian mirror is not reachable, so nothing
    // is cached and every run builds (and fails) again.
    const closed: SandboxSpec = { ...spec('f3'), packages: { apt: ['bc'] } };
    await assert.rejects(driver.acquire(closed), (error: Error) => {
      assert.match(error.message, /package layer build failed \(apt:bc\)/);
      assert.match(error.message, /403/);
      return true;
    });
  });

  it('invalid package names are refused before any build', async () => {
    await assert.rejects(
      driver.acquire(withPackages('f2', { apt: ['--allow-unauthenticated'] })),
      /invalid package/,
    );
  });
});

async function baseDir(): Promise<string> {
  const entry = readdirSync(TEST_ROOTFS_DIR).find(
    (name) => name.startsWith('bookworm-minbase-') && !name.includes('.'),
  );
  return join(TEST_ROOTFS_DIR, entry!);
}
