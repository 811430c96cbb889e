import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { classifyAddress } from '../../src/core/network/address-policy.js';
import { webFetch } from '../../src/core/tools/web-fetch.js';
import { createOutboundFetch, type OutboundClientOptions } from '../../src/outbound/outbound-fetch.js';
import { fakeLookup } from '../support/fake-lookup.js';

// Only loopback traffic: test names resolve through an injected lookup, never real DNS.
const textOf = (outcome: { content: Array<{ type: string; text?: string }> }) =>
  outcome.content[0]?.text ?? '';

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

  interface Overrides extends Partial<Omit<OutboundClientOptions, 'allowPrivate'>> {
    allowPrivateNetworks?: boolean;
    maxBytes?: number;
    timeoutMs?: number;
    allowedDomains?: string[];
    blockedDomains?: string[];
  }
  // web_fetch as wired in the server: the core tool over the one outbound client.
  const fetchUrl = (url: string, overrides: Overrides = {}) => {
    const { allowPrivateNetworks, maxBytes, timeoutMs, allowedDomains, blockedDomains, ...client } =
      overrides;
    const fetch = createOutboundFetch({ allowPrivate: allowPrivateNetworks ?? false, ...client });
    return webFetch(
      { url },
      {
        fetch,
        maxBytes: maxBytes ?? 1024 * 1024,
        timeoutMs: timeoutMs ?? 5_000,
        allowedDomains,
        blockedDomains,
      },
      new AbortController().signal,
    );
  };

  it('refuses loopback and private addresses, literal or resolved, checking the address it dials', async () => {
    assert.match(
      textOf(await fetchUrl(`http://127.0.0.1:${port}/`)),
      /127\.0\.0\.1 is a loopback address, which is blocked/,
    );
    assert.match(textOf(await fetchUrl('http://[::1]/')), /::1 is a loopback address/);
    // Every spelling of loopback and metadata, literal in the URL (the URL parser canonicalizes some).
    for (const spelling of [
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      '[0:0:0:0:0:ffff:127.0.0.1]',
      '127.1',
      '2130706433',
      '[::127.0.0.1]',
      '[64:ff9b::a9fe:a9fe]',
      '169.254.169.254.',
    ]) {
      const outcome = await fetchUrl(`http://${spelling}:${port}/`);
      assert.equal(outcome.isError, true, spelling);
      assert.match(textOf(outcome), /(loopback|cloud metadata) address, which is blocked/, spelling);
    }
    const rebinding = fakeLookup({ 'rebind.test': ['127.0.0.1'], 'mixed.test': ['203.0.113.5', '10.0.0.7'] });
    const refused = await fetchUrl(`http://rebind.test:${port}/`, { lookup: rebinding.lookup });
    assert.equal(refused.isError, true);
    assert.match(
      textOf(refused),
      /rebind\.test resolves to 127\.0\.0\.1, a loopback address, which is blocked/,
    );
    // One resolution: the one the connection uses. There is no earlier check a new answer could slip past.
    assert.deepEqual(rebinding.calls, ['rebind.test']);
    assert.match(
      textOf(await fetchUrl('http://mixed.test/', { lookup: rebinding.lookup })),
      /resolves to 10\.0\.0\.7/,
    );
    const mapped = fakeLookup({ 'mapped.test': ['::ffff:127.0.0.1'] });
    assert.match(
      textOf(await fetchUrl(`http://mapped.test:${port}/`, { lookup: mapped.lookup })),
      /mapped\.test resolves to ::ffff:127\.0\.0\.1, a loopback address/,
    );
  });

  it("refuses the host's own addresses, also the non-private ones, in any spelling", async () => {
    // A listener on every address: each of this machine's own addresses reaches it.
    const wide = createServer((_req, res) => res.end('host service'));
    await new Promise<void>((resolve) => wide.listen(0, '::', resolve));
    const widePort = (wide.address() as { port: number }).port;
    try {
      const own = Object.values(networkInterfaces())
        .flatMap((entries) => entries ?? [])
        .filter((entry) => !entry.internal && entry.family === 'IPv4');
      for (const { address } of own) {
        for (const spelling of [address, `[::ffff:${address}]`]) {
          const outcome = await fetchUrl(`http://${spelling}:${widePort}/`);
          assert.equal(outcome.isError, true, spelling);
          const reason =
            classifyAddress(address) === undefined ? /own addresses/ : /address, which is blocked/;
          assert.match(textOf(outcome), reason, spelling);
        }
        const named = fakeLookup({ 'self.test': [address] });
        assert.match(
          textOf(await fetchUrl(`http://self.test:${widePort}/`, { lookup: named.lookup })),
          /blocked/,
        );
      }
      // The same rule whatever the machine's addresses are: a public one listed as the host's.
      const injected = fakeLookup({ 'public.test': ['198.51.100.77'] });
      const outcome = await fetchUrl('http://public.test/', {
        lookup: injected.lookup,
        hostAddresses: () => ['198.51.100.77'],
      });
      assert.match(
        textOf(outcome),
        /public\.test resolves to 198\.51\.100\.77, one of this server's own addresses/,
      );
    } finally {
      wide.close();
    }
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
