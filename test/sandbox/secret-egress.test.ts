import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { type IncomingHttpHeaders, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { SandboxSecret } from '../../src/core/ports/sandbox.js';
import { sandboxSecrets, secretPlaceholder } from '../../src/core/vaults/sandbox-secrets.js';
import type { ResolvedCredential } from '../../src/core/vaults/vault.js';
import { EgressCa } from '../../src/sandbox/network/egress-ca.js';
import { EgressPolicy } from '../../src/sandbox/network/egress-policy.js';
import { type EgressNet, EgressProxy } from '../../src/sandbox/network/egress-proxy.js';
import { secretsForHost } from '../../src/sandbox/network/secret-substitution.js';
import { TlsInterceptor } from '../../src/sandbox/network/tls-interceptor.js';
import { selfSigned, startUpstreams } from './tls-fixture.js';

const secret = (name: string, overrides: Partial<SandboxSecret> = {}): SandboxSecret => ({
  name,
  placeholder: secretPlaceholder('sesn_test', `cred_${name}`),
  value: `real-${name}-value-0123456789`,
  header: true,
  body: true,
  hosts: ['api.allowed.test'],
  ...overrides,
});

describe('environment_variable secrets: host matching and spec building', () => {
  it('matches exact names and IPv4 case-insensitively, wildcards only below their apex', () => {
    const s = secret('A', { hosts: ['API.allowed.test', '*.wild.test', '192.0.2.5'] });
    const hosts = (host: string) => secretsForHost([s], host).length === 1;
    assert.ok(hosts('api.allowed.test'));
    assert.ok(hosts('Api.Allowed.Test.'));
    assert.ok(!hosts('evil-api.allowed.test'));
    assert.ok(!hosts('allowed.test'));
    assert.ok(hosts('x.wild.test'));
    assert.ok(hosts('a.b.wild.test'));
    assert.ok(!hosts('wild.test'), 'a wildcard does not match its apex');
    assert.ok(!hosts('notwild.test'));
    assert.ok(hosts('192.0.2.5'));
    assert.ok(!hosts('192.0.2.50'));
    assert.equal(secretsForHost([secret('B', { hosts: 'any' })], 'anything.example').length, 1);
  });

  it('builds secrets from environment_variable credentials: first vault wins, stable placeholders', () => {
    const env = (id: string, vault: string, name: string, value: string): ResolvedCredential => ({
      id,
      vault_id: vault,
      display_name: null,
      auth: {
        type: 'environment_variable',
        secret_name: name,
        secret_value: value,
        injection_location: { header: true, body: false },
        networking: { type: 'limited', allowed_hosts: ['api.example.com'] },
      },
    });
    const bearer: ResolvedCredential = {
      id: 'cred_mcp',
      vault_id: 'vlt_1',
      display_name: null,
      auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.example.com/', token: 'tok' },
    };
    const secrets = sandboxSecrets('sesn_1', [
      bearer,
      env('cred_a', 'vlt_1', 'TOKEN', 'first-value'),
      env('cred_b', 'vlt_2', 'TOKEN', 'second-value'),
      env('cred_c', 'vlt_2', 'OTHER', 'other-value'),
    ]);
    assert.deepEqual(
      secrets.map((s) => [s.name, s.value, s.hosts, s.header, s.body]),
      [
        ['TOKEN', 'first-value', ['api.example.com'], true, false],
        ['OTHER', 'other-value', ['api.example.com'], true, false],
      ],
    );
    assert.equal(secrets[0]?.placeholder, secretPlaceholder('sesn_1', 'cred_a'));
    assert.match(secrets[0]?.placeholder ?? '', /^paddock-secret-[0-9a-f]{24}$/);
    assert.equal(
      sandboxSecrets('sesn_1', [env('cred_a', 'v', 'TOKEN', 'rotated')])[0]?.placeholder,
      secrets[0]?.placeholder,
    );
    assert.notEqual(secretPlaceholder('sesn_2', 'cred_a'), secrets[0]?.placeholder);
  });
});

// Only loopback traffic: every name resolves to a TEST-NET-3 address, which the dialer rewrites to a
// local upstream by port (8080: plain HTTP, 8443: HTTPS); nothing is ever sent to 203.0.113.0/24.
const TEST_NET_ADDRESS = '203.0.113.7';

describe('egress proxy: secret substitution', () => {
  const logs: string[] = [];
  const headerOnly = secret('HEADER_ONLY', { body: false });
  const bodyOnly = secret('BODY_ONLY', { header: false });
  const wildcard = secret('WILD', { hosts: ['*.wild.test'] });
  const secrets = [headerOnly, bodyOnly, wildcard];
  let upstreams: Awaited<ReturnType<typeof startUpstreams>>;
  let dir: string;
  let proxy: EgressProxy;
  let strictProxy: EgressProxy;
  let ca: EgressCa;

  before(async () => {
    const upstreamTls = selfSigned(['api.allowed.test', 'other.test', 'x.wild.test']);
    upstreams = await startUpstreams(upstreamTls);
    dir = await mkdtemp(join(tmpdir(), 'paddock-secrets-'));
    ca = await EgressCa.load(join(dir, 'egress-ca'));
    const net: EgressNet = {
      resolve: async () => [TEST_NET_ADDRESS],
      dial: (address, port) => {
        assert.equal(address, TEST_NET_ADDRESS);
        return connect({
          host: '127.0.0.1',
          port: port === 8443 ? upstreams.ports.https : upstreams.ports.http,
        });
      },
    };
    const options = {
      policy: new EgressPolicy({ type: 'unrestricted' }),
      allowPrivateNetworks: false,
      net,
      log: (message: string) => logs.push(message),
      secrets,
    };
    proxy = await EgressProxy.listen(join(dir, 'p.sock'), {
      ...options,
      interceptor: new TlsInterceptor(ca, { extraCa: upstreamTls.cert, log: options.log }),
    });
    // Trusts only Node's CAs upstream, so the self-signed test upstream must be refused.
    strictProxy = await EgressProxy.listen(join(dir, 's.sock'), {
      ...options,
      interceptor: new TlsInterceptor(ca, { log: options.log }),
    });
  });
  after(async () => {
    await proxy?.close();
    await strictProxy?.close();
    await upstreams?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const both = `${headerOnly.placeholder} ${bodyOnly.placeholder}`;
  const viaProxy = (url: string, headers: IncomingHttpHeaders, body?: Buffer | string, chunked = false) =>
    // A proxy client names the target in Host too (a secret goes only where Host agrees with the URL).
    send(
      { socketPath: proxy.socketPath, path: url, headers: { host: new URL(url).host, ...headers } },
      body,
      chunked,
    );

  it('substitutes in plain-http requests to allowed hosts, honouring header and body', async () => {
    const answer = await viaProxy(
      'http://api.allowed.test:8080/x',
      { authorization: `Bearer ${both}` },
      both,
    );
    assert.equal(answer.status, 200);
    const seen = upstreams.last();
    assert.equal(seen?.headers.authorization, `Bearer ${headerOnly.value} ${bodyOnly.placeholder}`);
    assert.equal(seen?.body, `${headerOnly.placeholder} ${bodyOnly.value}`);
    assert.equal(seen?.headers['content-length'], String(Buffer.byteLength(seen?.body ?? '')));
  });

  it('passes placeholders verbatim to hosts the secret does not name', async () => {
    await viaProxy('http://other.test:8080/', { 'x-token': both }, both);
    assert.equal(upstreams.last()?.headers['x-token'], both);
    assert.equal(upstreams.last()?.body, both);
    await viaProxy('http://wild.test:8080/', { 'x-token': wildcard.placeholder });
    assert.equal(upstreams.last()?.headers['x-token'], wildcard.placeholder);
    await viaProxy('http://x.wild.test:8080/', { 'x-token': wildcard.placeholder });
    assert.equal(upstreams.last()?.headers['x-token'], wildcard.value);
  });

  it('buffers chunked bodies, and refuses bodies over the cap instead of sending placeholders', async () => {
    await viaProxy('http://api.allowed.test:8080/', {}, `a${bodyOnly.placeholder}b`, true);
    assert.equal(upstreams.last()?.body, `a${bodyOnly.value}b`);
    assert.equal(upstreams.last()?.headers['transfer-encoding'], undefined);
    const count = upstreams.seen.length;
    const big = await viaProxy('http://api.allowed.test:8080/', {}, Buffer.alloc(10 * 1024 * 1024 + 1, 0x61));
    assert.equal(big.status, 413);
    assert.equal(upstreams.seen.length, count, 'nothing was sent upstream');
    // A host with no body secret streams any size through untouched.
    await viaProxy('http://other.test:8080/', {}, Buffer.alloc(10 * 1024 * 1024 + 1, 0x61));
    assert.equal(upstreams.last()?.body.length, 10 * 1024 * 1024 + 1);
  });

  it('intercepts TLS to allowed hosts with a Paddock CA certificate, and substitutes inside', async () => {
    const tls = await tunnel(proxy.socketPath, 'api.allowed.test:8443', { ca: ca.certPem });
    assert.equal(tls.alpnProtocol, 'http/1.1');
    const peer = new X509Certificate(tls.getPeerCertificate(true).raw);
    assert.ok(peer.checkIssued(new X509Certificate(ca.certPem)), 'the leaf is issued by the Paddock CA');
    assert.match(peer.subjectAltName ?? '', /DNS:api\.allowed\.test/);
    const first = await send(
      {
        createConnection: () => tls,
        path: '/a',
        headers: { host: 'api.allowed.test', connection: 'keep-alive' },
      },
      both,
    );
    const second = await send(
      { createConnection: () => tls, path: '/b', headers: { host: 'api.allowed.test', authorization: both } },
      undefined,
    );
    assert.equal(first.status, 200);
    assert.equal(second.status, 200, 'keep-alive: a second request on the same intercepted connection');
    const [a, b] = upstreams.seen.slice(-2);
    assert.equal(a?.url, '/a');
    assert.equal(a?.body, `${headerOnly.placeholder} ${bodyOnly.value}`);
    assert.equal(b?.headers.authorization, `${headerOnly.value} ${bodyOnly.placeholder}`);
    tls.destroy();
  });

  it('relays upgrades (WebSocket-style) on intercepted connections, headers substituted', async () => {
    const tls = await tunnel(proxy.socketPath, 'api.allowed.test:8443', { ca: ca.certPem });
    tls.write(
      `GET /ws HTTP/1.1\r\nhost: api.allowed.test\r\nconnection: Upgrade\r\nupgrade: echo\r\nx-token: ${headerOnly.placeholder}\r\n\r\n`,
    );
    let received = '';
    await new Promise<void>((resolve) => {
      tls.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (received.includes('\r\n\r\n') && !received.includes('ping')) tls.write('ping');
        if (received.endsWith('ping')) resolve();
      });
    });
    assert.match(received, /^HTTP\/1\.1 101/);
    assert.equal(upstreams.last()?.url, '/ws');
    assert.equal(upstreams.last()?.headers['x-token'], headerOnly.value);
    tls.destroy();
  });

  it('keeps CONNECT to hosts no secret names a blind tunnel', async () => {
    const tls = await tunnel(proxy.socketPath, 'other.test:8443', { rejectUnauthorized: false });
    const peer = new X509Certificate(tls.getPeerCertificate(true).raw);
    assert.ok(!peer.checkIssued(new X509Certificate(ca.certPem)));
    assert.match(peer.subject, /test upstream/);
    await send({ createConnection: () => tls, path: '/', headers: { host: 'other.test', 'x-token': both } });
    assert.equal(upstreams.last()?.headers['x-token'], both);
    tls.destroy();
  });

  it('verifies the upstream certificate, and never puts a value in errors or logs', async () => {
    const tls = await tunnel(strictProxy.socketPath, 'api.allowed.test:8443', { ca: ca.certPem });
    const count = upstreams.seen.length;
    const answer = await send(
      { createConnection: () => tls, path: '/', headers: { host: 'api.allowed.test', authorization: both } },
      both,
    );
    assert.equal(answer.status, 502);
    assert.match(answer.body, /certificate/);
    assert.equal(upstreams.seen.length, count);
    tls.destroy();
    assert.ok(logs.some((line) => /certificate/.test(line)));
    for (const text of [...logs, answer.body])
      for (const s of secrets) assert.ok(!text.includes(s.value), `a secret value leaked: ${text}`);
  });

  it('keeps one CA per data directory, its key readable by the owner only', async () => {
    const again = await EgressCa.load(join(dir, 'egress-ca'));
    assert.equal(again.certPem, ca.certPem);
    assert.equal((await stat(join(dir, 'egress-ca', 'ca.pem'))).mode & 0o777, 0o600);
  });
});

function send(
  options: import('node:http').RequestOptions,
  body?: Buffer | string,
  chunked = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ method: body === undefined ? 'GET' : 'POST', ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    if (body === undefined) return void req.end();
    if (chunked) {
      const text = Buffer.from(body);
      req.write(text.subarray(0, 5));
      req.end(text.subarray(5));
    } else req.end(body);
  });
}

/** CONNECT through the proxy, then TLS to `authority` over the tunnel (offering h2 and http/1.1). */
function tunnel(
  socketPath: string,
  authority: string,
  tls: { ca?: string; rejectUnauthorized?: boolean },
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket: Socket) => {
      if (res.statusCode !== 200) return reject(new Error(`CONNECT answered ${res.statusCode}`));
      const secure = tlsConnect({
        socket,
        servername: authority.split(':')[0],
        ALPNProtocols: ['h2', 'http/1.1'],
        ...tls,
      });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
