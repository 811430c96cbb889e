import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { LookupFunction } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type WebFetchOptions, webFetch } from '../../src/core/tools/web-fetch.js';

// Only loopback traffic: test names resolve through an injected lookup, never real DNS.
const textOf = (outcome: { content: Array<{ type: string; text?: string }> }) =>
  outcome.content[0]?.text ?? '';

/** A resolver for test names; counts its calls. */
function fakeLookup(table: Record<string, string[]>) {
  const calls: string[] = [];
  const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    calls.push(hostname);
    const addresses = (table[hostname] ?? []).map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    if (addresses.length === 0)
      return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0]?.address, addresses[0]?.family);
  }) as unknown as LookupFunction;
  return { lookup, calls };
}

describe('web_fetch', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: '/final' }).end();
      else if (req.url === '/big') res.end('x'.repeat(10_000));
      else if (req.url === '/slow') setTimeout(() => res.end('late'), 2_000);
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from ${req.headers.host}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => server.close());

  const options = (overrides: Partial<WebFetchOptions> = {}): WebFetchOptions => ({
    allowPrivateNetworks: false,
    maxBytes: 1024 * 1024,
    timeoutMs: 5_000,
    ...overrides,
  });
  const fetchUrl = (url: string, overrides: Partial<WebFetchOptions> = {}) =>
    webFetch({ url }, options(overrides), new AbortController().signal);

  it('refuses loopback and private addresses, literal or resolved, checking the address it dials', async () => {
    assert.match(
      textOf(await fetchUrl(`http://127.0.0.1:${port}/`)),
      /127\.0\.0\.1 is a private or loopback address/,
    );
    assert.match(textOf(await fetchUrl('http://[::1]/')), /private or loopback/);
    const rebinding = fakeLookup({ 'rebind.test': ['127.0.0.1'], 'mixed.test': ['203.0.113.5', '10.0.0.7'] });
    const refused = await fetchUrl(`http://rebind.test:${port}/`, { lookup: rebinding.lookup });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /rebind\.test resolves to 127\.0\.0\.1, a private or loopback address/);
    // One resolution: the one the connection uses. There is no earlier check a new answer could slip past.
    assert.deepEqual(rebinding.calls, ['rebind.test']);
    assert.match(
      textOf(await fetchUrl('http://mixed.test/', { lookup: rebinding.lookup })),
      /resolves to 10\.0\.0\.7/,
    );
  });

  it('fetches when the operator allows private networks, and reports a redirect with its location', async () => {
    const { lookup } = fakeLookup({ 'intranet.test': ['127.0.0.1'] });
    const page = await fetchUrl(`http://intranet.test:${port}/`, { allowPrivateNetworks: true, lookup });
    assert.equal(page.isError, false);
    assert.match(textOf(page), /^HTTP 200 OK\ncontent-type: text\/plain\n\nhello from intranet\.test:\d+$/);
    const moved = await fetchUrl(`http://intranet.test:${port}/moved`, {
      allowPrivateNetworks: true,
      lookup,
    });
    assert.equal(moved.isError, true);
    assert.match(textOf(moved), /^HTTP 302 Found\ncontent-type: \nlocation: \/final/);
  });

  it('applies the agent’s domain rules, the size cap and the timeout', async () => {
    const { lookup } = fakeLookup({ 'docs.example.test': ['127.0.0.1'] });
    const base = { allowPrivateNetworks: true, lookup };
    assert.match(
      textOf(
        await fetchUrl(`http://docs.example.test:${port}/`, { ...base, blockedDomains: ['example.test'] }),
      ),
      /blocked by this agent's configuration/,
    );
    assert.match(
      textOf(
        await fetchUrl(`http://docs.example.test:${port}/`, { ...base, allowedDomains: ['other.test'] }),
      ),
      /not in this agent's allowed_domains/,
    );
    // The same rules as web_search: a path suffix narrows an entry to that part of the site.
    const narrowed = { ...base, blockedDomains: ['docs.example.test/private'] };
    assert.match(textOf(await fetchUrl(`http://docs.example.test:${port}/private/x`, narrowed)), /blocked/);
    assert.match(textOf(await fetchUrl(`http://docs.example.test:${port}/public`, narrowed)), /^HTTP 200/);
    const big = await fetchUrl(`http://docs.example.test:${port}/big`, { ...base, maxBytes: 100 });
    assert.match(textOf(big), /\[truncated at 100 bytes\]$/);
    const slow = await fetchUrl(`http://docs.example.test:${port}/slow`, { ...base, timeoutMs: 200 });
    assert.match(textOf(slow), /timed out after 200 ms/);
    assert.match(textOf(await fetchUrl('ftp://x.test/')), /only http and https/);
  });
});
