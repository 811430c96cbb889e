import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config/config.js';
import { createOutboundFetch } from '../../src/outbound/outbound-fetch.js';
import { fakeLookup } from '../support/fake-lookup.js';

// Only loopback traffic: test names resolve through an injected lookup, never real DNS.
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('outbound client', () => {
  let server: Server;
  let port = 0;
  const seen: Seen[] = [];
  before(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/to-private')
        res.writeHead(302, { location: `http://private.test:${port}/echo` }).end();
      else if (url.pathname === '/to-other')
        res.writeHead(307, { location: `http://other.test:${port}/echo` }).end();
      else if (url.pathname === '/see-other') res.writeHead(303, { location: '/echo' }).end();
      else if (url.pathname === '/gzip')
        res
          .writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' })
          .end(gzipSync('unzipped'));
      else if (url.pathname === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        // The second event follows once the client has read the first (no timing involved).
        setImmediate(() => res.end('data: two\n\n'));
      } else if (url.pathname === '/empty') res.writeHead(204).end();
      else
        res
          .writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] })
          .end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => server.close());

  // Names resolve to loopback; "api.test" and "other.test" are allowed by name, "private.test" is not.
  const names = fakeLookup({
    'api.test': ['127.0.0.1'],
    'other.test': ['127.0.0.1'],
    'private.test': ['127.0.0.1'],
  });
  const client = () =>
    createOutboundFetch({
      allowPrivate: false,
      allowedPrivateHosts: ['api.test', 'other.test'],
      lookup: names.lookup,
    });

  it('is fetch: method, headers, body, status, response headers and JSON', async () => {
    const response = await client()(`http://api.test:${port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: JSON.stringify({ hello: 'world' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.ok, true);
    assert.equal(response.url, `http://api.test:${port}/echo`);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(await response.json(), { ok: true });
    const request = seen.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers.authorization, 'Bearer t');
    assert.equal(request.headers.host, `api.test:${port}`);
    assert.equal(request.body, '{"hello":"world"}');
    const form = await client()(`http://api.test:${port}/echo`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token' }),
    });
    await form.text();
    assert.equal(seen.at(-1)?.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(seen.at(-1)?.body, 'grant_type=refresh_token');
  });

  it('decodes gzip, streams bodies as they come, and has no body for 204', async () => {
    assert.equal(await (await client()(`http://api.test:${port}/gzip`)).text(), 'unzipped');
    const stream = await client()(`http://api.test:${port}/stream`);
    const reader = stream.body!.getReader();
    const first = await reader.read();
    assert.match(Buffer.from(first.value!).toString(), /data: one/);
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += Buffer.from(chunk.value).toString();
    assert.match(rest, /data: two/);
    const empty = await client()(`http://api.test:${port}/empty`);
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
  });

  it('checks every redirect hop at connect time, and drops credentials across origins', async () => {
    await assert.rejects(
      client()(`http://api.test:${port}/to-private`),
      /private\.test resolves to 127\.0\.0\.1, a loopback address, which is blocked/,
    );
    const manual = await client()(`http://api.test:${port}/to-private`, { redirect: 'manual' });
    assert.equal(manual.status, 302);
    const followed = await client()(`http://api.test:${port}/to-other`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret' },
      body: 'kept',
    });
    assert.equal(followed.status, 200);
    assert.equal(followed.url, `http://other.test:${port}/echo`);
    const last = seen.at(-1)!;
    assert.equal(last.method, 'POST', '307 keeps the method and body');
    assert.equal(last.body, 'kept');
    assert.equal(last.headers.authorization, undefined);
    await (await client()(`http://api.test:${port}/see-other`, { method: 'POST', body: 'x' })).text();
    assert.equal(seen.at(-1)?.method, 'GET', '303 becomes GET');
    await assert.rejects(client()(`http://api.test:${port}/to-other`, { redirect: 'error' }), /redirect/);
  });

  it('refuses IP literals in every spelling before dialing, and allows them when listed or private networks are on', async () => {
    const strict = createOutboundFetch({ allowPrivate: false });
    const before = seen.length;
    for (const host of [
      '127.0.0.1',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      '[::1]',
      '2130706433',
      '0x7f.1',
    ])
      await assert.rejects(strict(`http://${host}:${port}/echo`), /loopback address, which is blocked/, host);
    await assert.rejects(strict('http://169.254.169.254/latest/meta-data/'), /cloud metadata address/);
    await assert.rejects(strict('http://[fd00:ec2::254]/'), /cloud metadata address/);
    assert.equal(seen.length, before, 'nothing reached the server');
    const listed = createOutboundFetch({ allowPrivate: false, allowedPrivateHosts: ['127.0.0.0/8'] });
    assert.equal((await listed(`http://[::ffff:127.0.0.1]:${port}/echo`)).status, 200);
    const open = createOutboundFetch({ allowPrivate: true });
    assert.equal((await open(`http://127.0.0.1:${port}/echo`)).status, 200);
    await assert.rejects(
      open('http://169.254.169.254/'),
      /cloud metadata address/,
      'metadata needs an explicit entry',
    );
  });

  it("refuses the host's own addresses and what resolves to them", async () => {
    const self = fakeLookup({ 'self.test': ['198.51.100.9'] });
    const client = createOutboundFetch({
      allowPrivate: false,
      lookup: self.lookup,
      hostAddresses: () => ['198.51.100.9'],
    });
    await assert.rejects(
      client('http://self.test/'),
      /self\.test resolves to 198\.51\.100\.9, one of this server's own addresses/,
    );
    await assert.rejects(client('http://[::ffff:c633:6409]/'), /one of this server's own addresses/);
  });

  it('rejects with the abort reason, and an invalid allow-list entry at creation', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped by caller'));
    await assert.rejects(
      client()(`http://api.test:${port}/echo`, { signal: controller.signal }),
      /stopped by caller/,
    );
    assert.throws(
      () => createOutboundFetch({ allowPrivate: false, allowedPrivateHosts: ['10.0.0.0/40'] }),
      /CIDR/,
    );
  });

  it('reads PADDOCK_MCP_ALLOWED_PRIVATE_HOSTS as a comma-separated list', () => {
    assert.deepEqual(loadConfig({}).mcpAllowedPrivateHosts, []);
    assert.deepEqual(
      loadConfig({ PADDOCK_MCP_ALLOWED_PRIVATE_HOSTS: ' mcp.internal, 10.1.0.0/16 ,,127.0.0.1 ' })
        .mcpAllowedPrivateHosts,
      ['mcp.internal', '10.1.0.0/16', '127.0.0.1'],
    );
  });
});
