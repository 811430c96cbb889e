import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxSpec } from '../../src/core/ports/sandbox.js';
import { EgressPolicy } from '../../src/sandbox/network/egress-policy.js';
import type { EgressNet } from '../../src/sandbox/network/egress-proxy.js';
import { assertAllPooled, bwrapCase, POOL_VARIANTS, type PooledDriver, textOf, tool } from './drivers.js';

describe('egress policy: allowed_hosts', () => {
  const policy = new EgressPolicy({
    type: 'limited',
    allowed_hosts: ['api.example.com', 'Example.org:8443', '*.cdn.example.net'],
    allow_package_managers: true,
  });
  it('names (80/443), names with a port, wildcards, package registries', () => {
    assert.ok(policy.allows('api.example.com', 443));
    assert.ok(policy.allows('API.example.com.', 80));
    assert.ok(!policy.allows('api.example.com', 22));
    assert.ok(!policy.allows('evil-api.example.com', 443));
    assert.ok(policy.allows('example.org', 8443));
    assert.ok(!policy.allows('example.org', 443));
    assert.ok(policy.allows('a.b.cdn.example.net', 443));
    assert.ok(!policy.allows('cdn.example.net', 443), 'a wildcard does not match its apex');
    assert.ok(policy.allows('registry.npmjs.org', 443));
    assert.ok(!new EgressPolicy({ type: 'limited' }).allows('registry.npmjs.org', 443));
  });
});

// Only loopback traffic: "public" test names resolve to a TEST-NET-3 address that the dialer
// rewrites to the local test server; nothing is ever sent to 203.0.113.0/24.
const TEST_NET_ADDRESS = '203.0.113.7';
const bwrap = await bwrapCase();
const skip =
  bwrap.skip ??
  (process.getuid?.() === 0
    ? undefined
    : 'these cases run the driver as root (test/sandbox/unprivileged-egress.test.ts covers a non-root server)');
if (skip && !bwrap.skip) process.stderr.write(`SKIP limited networking: ${skip}\n`);

for (const { pool } of POOL_VARIANTS)
  describe(`limited networking: bwrap, pool ${pool}`, { skip }, () => {
    let driver: PooledDriver;
    let config: PaddockConfig;
    let server: Server;
    let port = 0;
    before(async () => {
      server = createServer((_req, res) => res.end('HELLO-FROM-ALLOWED'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
      const net: EgressNet = {
        resolve: async (host) => (host === 'sneaky.test' ? ['127.0.0.1'] : [TEST_NET_ADDRESS]),
        dial: (address, _port) => {
          assert.equal(address, TEST_NET_ADDRESS, 'the proxy dialed an address it should have refused');
          return connect({ host: '127.0.0.1', port });
        },
      };
      ({ driver, config } = await bwrap.create({ egressNet: net, pool }));
    });
    after(async () => {
      await driver?.close();
      server?.close();
      if (config) await rm(config.dataDir, { recursive: true, force: true });
    });

    const limited: SandboxSpec = {
      sessionId: 'n1',
      environmentId: 'env_test',
      network: { type: 'limited', allowed_hosts: ['allowed.test:8080', 'sneaky.test:8080'] },
    };
    const curl = async (args: string) => {
      const outcome = await tool(await driver.acquire(limited), 'bash', {
        command: `curl -sS --max-time 10 -o - -w ' %{http_code}' ${args} 2>&1; true`,
      });
      return textOf(outcome);
    };

    it('reaches an allowed host through the proxy, plain and via CONNECT', async () => {
      assert.equal(await curl('http://allowed.test:8080/'), 'HELLO-FROM-ALLOWED 200');
      assert.equal(await curl('-p http://allowed.test:8080/'), 'HELLO-FROM-ALLOWED 200');
    });

    it('cannot reach other hosts, other ports, or names resolving to loopback', async () => {
      assert.match(await curl('http://evil.test:8080/'), /not in this environment's allowed hosts\n 403$/);
      assert.match(await curl('http://allowed.test:9999/'), / 403$/);
      assert.match(await curl('-p http://evil.test:8080/'), /403/);
      assert.match(await curl('http://sneaky.test:8080/'), /loopback, private or metadata address\n 403$/);
    });

    it("cannot reach the host's loopback services, directly or through the proxy", async () => {
      // Direct: the sandbox's loopback is its own; nothing listens on that port there.
      assert.match(await curl(`http://127.0.0.1:${port}/`), /Failed to connect|Couldn't connect| 000$/);
      assert.match(await curl(`--noproxy '' -x http://127.0.0.1:3128 http://127.0.0.1:${port}/`), / 403$/);
    });

    it('unrestricted reaches any public host through the proxy, never loopback or private ones', async () => {
      const open: SandboxSpec = { ...limited, sessionId: 'n2', network: { type: 'unrestricted' } };
      const run = async (args: string) =>
        textOf(
          await tool(await driver.acquire(open), 'bash', {
            command: `curl -sS --max-time 10 -o - -w ' %{http_code}' ${args} 2>&1; true`,
          }),
        );
      assert.equal(await run('http://anything.test:1234/'), 'HELLO-FROM-ALLOWED 200');
      assert.match(await run('http://sneaky.test:8080/'), / 403$/);
      assert.match(await run(`--noproxy '' -x http://127.0.0.1:3128 http://127.0.0.1:${port}/`), / 403$/);
      assert.match(await run(`--noproxy '' -x http://127.0.0.1:3128 http://169.254.169.254/`), / 403$/);
      assert.match(await run(`--noproxy '' -x http://127.0.0.1:3128 http://10.1.2.3/`), / 403$/);
    });

    it('every session above got a pooled sandbox', { skip: pool === 0 }, () => assertAllPooled(driver));
  });
