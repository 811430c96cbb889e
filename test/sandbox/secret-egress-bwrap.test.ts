import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';
import { secretPlaceholder } from '../../src/core/vaults/sandbox-secrets.js';
import type { EgressNet } from '../../src/sandbox/network/egress-proxy.js';
import { bwrapCase, textOf, tool } from './drivers.js';
import { selfSigned, startUpstreams } from './tls-fixture.js';

// Only loopback traffic: test names resolve to a TEST-NET-3 address that the dialer rewrites to a
// local upstream by port (8080: plain HTTP, 8443: HTTPS); nothing is ever sent to 203.0.113.0/24.
const TEST_NET_ADDRESS = '203.0.113.7';
const VALUE = 'sk-live-0123456789abcdef-REAL';
const bwrap = await bwrapCase();
const skip =
  bwrap.skip ??
  (process.getuid?.() === 0
    ? undefined
    : 'these cases run the driver as root (test/sandbox/unprivileged-egress.test.ts covers a non-root server)');
if (skip && !bwrap.skip) process.stderr.write(`SKIP environment_variable secrets in bwrap: ${skip}\n`);

describe('environment_variable secrets in a bwrap sandbox', { skip }, () => {
  let driver: SandboxDriver;
  let config: PaddockConfig;
  let upstreams: Awaited<ReturnType<typeof startUpstreams>>;
  let upstreamCert = '';
  const placeholder = secretPlaceholder('sesn_secrets', 'cred_token');
  const spec: SandboxSpec = {
    sessionId: 'sesn_secrets',
    environmentId: 'env_test',
    network: {
      type: 'limited',
      allowed_hosts: ['api.allowed.test:8443', 'api.allowed.test:8080', 'other.test:8443', 'other.test:8080'],
    },
    secrets: [
      { name: 'MY_TOKEN', placeholder, value: VALUE, header: true, body: false, hosts: ['api.allowed.test'] },
    ],
  };

  before(async () => {
    const tls = selfSigned(['api.allowed.test', 'other.test']);
    upstreamCert = tls.cert;
    upstreams = await startUpstreams(tls);
    const net: EgressNet = {
      resolve: async () => [TEST_NET_ADDRESS],
      dial: (address, port) => {
        assert.equal(address, TEST_NET_ADDRESS, 'the proxy dialed an address it should have refused');
        return connect({
          host: '127.0.0.1',
          port: port === 8443 ? upstreams.ports.https : upstreams.ports.http,
        });
      },
    };
    // The proxy trusts the self-signed upstream through the operator's extra CA file.
    const dataDir = await mkdtemp(join(tmpdir(), 'paddock-sandbox-secrets-'));
    const caFile = join(dataDir, 'upstream-ca.pem');
    await writeFile(caFile, upstreamCert);
    ({ driver, config } = await bwrap.create({
      egressNet: net,
      dataDir,
      env: { PADDOCK_EGRESS_EXTRA_CA_FILE: caFile },
    }));
  });
  after(async () => {
    await driver?.close();
    await upstreams?.close();
    if (config) await rm(config.dataDir, { recursive: true, force: true });
  });

  const bash = async (command: string) => textOf(await tool(await driver.acquire(spec), 'bash', { command }));
  const curl = (args: string) => bash(`curl -sS --max-time 10 -o - -w ' %{http_code}' ${args} 2>&1; true`);

  it('shows the sandbox only the placeholder, in every environment', async () => {
    assert.equal(await bash('echo "$MY_TOKEN"'), placeholder);
    const fragment = VALUE.slice(0, 12);
    assert.equal(await bash(`env | grep -c -- '${fragment}'; true`), '0');
    assert.equal(
      await bash(`cat /proc/[0-9]*/environ | tr '\\0' '\\n' | grep -c -- '${fragment}'; true`),
      '0',
    );
    assert.equal(
      await bash('tr "\\0" "\\n" < /proc/$$/environ | grep ^MY_TOKEN='),
      `MY_TOKEN=${placeholder}`,
    );
  });

  it('substitutes the value at egress for its host, over HTTPS (curl trusts the mounted bundle) and HTTP', async () => {
    assert.equal(await curl('-H "Authorization: Bearer $MY_TOKEN" https://api.allowed.test:8443/'), 'ok 200');
    assert.equal(upstreams.last()?.headers.authorization, `Bearer ${VALUE}`);
    assert.equal(await curl('-H "Authorization: Bearer $MY_TOKEN" http://api.allowed.test:8080/'), 'ok 200');
    assert.equal(upstreams.last()?.headers.authorization, `Bearer ${VALUE}`);
  });

  it('sends only the placeholder to other hosts (their TLS is not intercepted)', async () => {
    await bash(`cat > /tmp/upstream.pem <<'EOF'\n${upstreamCert.trim()}\nEOF`);
    // --cacert with only the upstream's own certificate: this succeeds only through a blind tunnel.
    assert.equal(
      await curl('--cacert /tmp/upstream.pem -H "Authorization: Bearer $MY_TOKEN" https://other.test:8443/'),
      'ok 200',
    );
    assert.equal(upstreams.last()?.headers.authorization, `Bearer ${placeholder}`);
    assert.equal(await curl('-H "Authorization: Bearer $MY_TOKEN" http://other.test:8080/'), 'ok 200');
    assert.equal(upstreams.last()?.headers.authorization, `Bearer ${placeholder}`);
  });

  it('keeps the placeholder across an idle restart; sandboxes without secrets get no interception', async () => {
    await driver.acquire(spec).then((sandbox) => sandbox.stop());
    assert.equal(await bash('echo "$MY_TOKEN"'), placeholder);
    const count = 'grep -c "BEGIN CERT" /etc/ssl/certs/ca-certificates.crt';
    const withCa = Number(await bash(count));
    const plain: SandboxSpec = { ...spec, sessionId: 'sesn_plain', secrets: undefined };
    const out = await tool(await driver.acquire(plain), 'bash', {
      command: `echo "[$MY_TOKEN]"; echo "\${SSL_CERT_FILE:-none}"; ${count}`,
    });
    const [token, certFile, certs] = textOf(out).split('\n');
    assert.equal(token, '[]');
    assert.equal(certFile, 'none');
    assert.ok(Number(certs) > 50, 'the rootfs bundle');
    assert.equal(withCa, Number(certs) + 1, "the rootfs bundle plus Paddock's CA");
  });
});
