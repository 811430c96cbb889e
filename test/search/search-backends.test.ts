import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebSearchBackend, WebSearchRequest } from '../../src/core/ports/web-search-backend.js';
import { parseDomainRules } from '../../src/core/tools/domain-filter.js';
import { createOutboundFetch } from '../../src/outbound/outbound-fetch.js';
import { createBraveBackend } from '../../src/search/brave/brave-backend.js';
import { createSearxngBackend } from '../../src/search/searxng/searxng-backend.js';
import {
  BRAVE_TEST_KEY,
  type FakeSearchServer,
  startFakeBrave,
  startFakeSearxng,
} from './fake-search-servers.js';

const request = (overrides: Partial<WebSearchRequest> = {}): WebSearchRequest => ({
  query: 'paddock agents',
  maxResults: 10,
  allowedDomains: undefined,
  blockedDomains: [],
  userLocation: undefined,
  ...overrides,
});
const never = () => new AbortController().signal;
// As the server wires it: the outbound client, with the (loopback) backend host allowed.
const fetch = createOutboundFetch({ allowPrivate: false, allowedPrivateHosts: ['127.0.0.1'] });
/** The timeout case's; the other cases wait as long as a loaded CI machine may need. */
const TIMEOUT_MS = 150;
const PATIENT_MS = 30_000;

/** Every adapter fails the same ways, in words; the shared cases run against each. */
const SUBJECTS = [
  {
    name: 'SearXNG',
    start: startFakeSearxng,
    backend: (url: string, timeoutMs = PATIENT_MS) =>
      createSearxngBackend({ baseUrl: url, timeoutMs, fetch }),
  },
  {
    name: 'Brave Search',
    start: () => startFakeBrave(),
    backend: (url: string, timeoutMs = PATIENT_MS) =>
      createBraveBackend({ apiKey: BRAVE_TEST_KEY, baseUrl: url, timeoutMs, fetch }),
  },
];

for (const subject of SUBJECTS) {
  describe(`web search backend: ${subject.name} (shared cases)`, () => {
    let fake: FakeSearchServer;
    let backend: WebSearchBackend;
    before(async () => {
      fake = await subject.start();
      backend = subject.backend(fake.url);
    });
    after(async () => fake.close());

    it('maps results to plain-text titles, URLs and snippets', async () => {
      const results = await backend.search(request(), never());
      assert.deepEqual(results.slice(0, 2), [
        {
          title: 'Paddock & friends',
          url: 'https://example.com/paddock',
          snippet: 'A self-hostable Managed Agents server.',
        },
        {
          title: 'Paddock docs',
          url: 'https://docs.example.com/start',
          snippet: 'Getting started — install.',
        },
      ]);
      assert.equal(new Set(results.map((result) => result.url)).size, results.length, 'no duplicates');
    });

    it('turns an HTTP error into a message naming the service and status', async () => {
      fake.reply({ status: 500, body: '<html><body>Internal <b>boom</b></body></html>' });
      await assert.rejects(backend.search(request(), never()), (error: Error) => {
        assert.match(error.message, new RegExp(`^${subject.name} answered HTTP 500: Internal boom`));
        return true;
      });
    });

    it('says so when the answer is not JSON', async () => {
      fake.reply({ status: 200, body: '<html>a login page</html>' });
      await assert.rejects(backend.search(request(), never()), /answered with something that is not JSON/);
    });

    it('gives up after its timeout', async () => {
      fake.reply({ delayMs: 2000, body: { results: [] } });
      await assert.rejects(
        subject.backend(fake.url, TIMEOUT_MS).search(request(), never()),
        new RegExp(`${subject.name} did not answer within 0.15 s`),
      );
    });

    it('stops when the caller aborts', async () => {
      fake.reply({ delayMs: 2000, body: { results: [] } });
      const controller = new AbortController();
      const count = fake.requests.length;
      const searching = backend.search(request(), controller.signal);
      // Abort once the server holds the request (not after a guessed delay), so its reply is used up.
      while (fake.requests.length === count) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      await assert.rejects(searching, /request was cancelled/);
    });

    it('does not follow redirects (an auth header would go along)', async () => {
      const count = fake.requests.length;
      fake.reply({ status: 302, headers: { location: `${fake.url}/elsewhere` } });
      await assert.rejects(backend.search(request(), never()), /redirect \(HTTP 302\)/);
      assert.equal(fake.requests.length, count + 1);
    });

    it('reports an unreachable server', async () => {
      const closed = await subject.start();
      await closed.close();
      await assert.rejects(
        subject.backend(closed.url).search(request(), never()),
        /could not reach .*ECONNREFUSED/,
      );
    });
  });
}

describe('web search backend: SearXNG', () => {
  let fake: FakeSearchServer;
  before(async () => {
    fake = await startFakeSearxng();
  });
  after(async () => fake.close());

  it('GETs <base>/search with q and format=json, under a path prefix, with basic auth', async () => {
    const backend = createSearxngBackend({
      baseUrl: fake.url.replace('//', '//user:s3cret@') + '/searx',
      fetch,
    });
    await backend.search(request(), never());
    const sent = fake.requests.at(-1);
    assert.equal(sent?.path, '/searx/search');
    assert.equal(sent?.query.get('q'), 'paddock agents');
    assert.equal(sent?.query.get('format'), 'json');
    assert.equal(sent?.headers.authorization, `Basic ${Buffer.from('user:s3cret').toString('base64')}`);
  });

  it('passes allowed and blocked domains as site: terms', async () => {
    const backend = createSearxngBackend({ baseUrl: fake.url, fetch });
    await backend.search(
      request({ allowedDomains: parseDomainRules(['example.com', 'docs.python.org/3']) }),
      never(),
    );
    assert.equal(
      fake.requests.at(-1)?.query.get('q'),
      'paddock agents (site:example.com OR site:docs.python.org)',
    );
    await backend.search(request({ blockedDomains: parseDomainRules(['other.org']) }), never());
    assert.equal(fake.requests.at(-1)?.query.get('q'), 'paddock agents -site:other.org');
  });

  it('explains a 403 (json not enabled) and a body without results', async () => {
    const backend = createSearxngBackend({ baseUrl: fake.url, fetch });
    fake.reply({ status: 403, body: 'Forbidden' });
    await assert.rejects(backend.search(request(), never()), /HTTP 403 \(is json listed in search\.formats/);
    fake.reply({ body: { error: 'nope' } });
    await assert.rejects(backend.search(request(), never()), /without a results list/);
  });
});

describe('web search backend: Brave Search', () => {
  let fake: FakeSearchServer;
  before(async () => {
    fake = await startFakeBrave();
  });
  after(async () => fake.close());
  const brave = (apiKey = BRAVE_TEST_KEY) => createBraveBackend({ apiKey, baseUrl: fake.url, fetch });

  it('GETs /res/v1/web/search with the key in X-Subscription-Token, never in the URL', async () => {
    await brave().search(request(), never());
    const sent = fake.requests.at(-1);
    assert.equal(sent?.path, '/res/v1/web/search');
    assert.equal(sent?.headers['x-subscription-token'], BRAVE_TEST_KEY);
    assert.equal(sent?.query.get('q'), 'paddock agents');
    assert.equal(sent?.query.get('count'), '10');
    assert.equal(sent?.query.get('result_filter'), 'web');
    assert.equal(sent?.query.get('text_decorations'), 'false');
    assert.equal(sent?.query.get('country'), null);
    assert.ok(![...(sent?.query.values() ?? [])].some((value) => value.includes(BRAVE_TEST_KEY)));
  });

  it('passes user_location as country and X-Loc headers where Brave can take them', async () => {
    await brave().search(
      request({
        userLocation: { country: 'de', city: 'Berlin', region: 'Berlin', timezone: 'Europe/Berlin' },
      }),
      never(),
    );
    let sent = fake.requests.at(-1);
    assert.equal(sent?.query.get('country'), 'DE');
    assert.equal(sent?.headers['x-loc-city'], 'Berlin');
    assert.equal(sent?.headers['x-loc-state-name'], 'Berlin');
    assert.equal(sent?.headers['x-loc-timezone'], 'Europe/Berlin');
    // Iceland is not in Brave's country enum (a 422); a non-ASCII city cannot be a header value.
    await brave().search(request({ userLocation: { country: 'IS', city: 'Reykjavík' } }), never());
    sent = fake.requests.at(-1);
    assert.equal(sent?.query.get('country'), null);
    assert.equal(sent?.headers['x-loc-country'], 'IS');
    assert.equal(sent?.headers['x-loc-city'], undefined);
  });

  it('asks for a full page and adds site: terms when domains are filtered, unless the query gets too long', async () => {
    await brave().search(request({ allowedDomains: parseDomainRules(['example.com']) }), never());
    assert.equal(fake.requests.at(-1)?.query.get('count'), '20');
    assert.equal(fake.requests.at(-1)?.query.get('q'), 'paddock agents site:example.com');
    const many = parseDomainRules(Array.from({ length: 40 }, (_, index) => `site${index}.example.com`));
    await brave().search(request({ blockedDomains: many }), never());
    assert.equal(fake.requests.at(-1)?.query.get('q'), 'paddock agents');
  });

  it('reads a response without a web section as no results', async () => {
    fake.reply({ body: { type: 'search', query: { original: 'x' } } });
    assert.deepEqual(await brave().search(request(), never()), []);
    fake.reply({ body: [] });
    await assert.rejects(brave().search(request(), never()), /not a search response/);
  });

  it('names the key variable on 401 and never repeats the key', async () => {
    const wrong = 'BSA-wrong-key-that-the-server-echoes';
    fake.reply({ status: 401, body: { error: { detail: `token ${wrong} is invalid` } } });
    await assert.rejects(brave(wrong).search(request(), never()), (error: Error) => {
      assert.match(error.message, /HTTP 401 \(check PADDOCK_BRAVE_SEARCH_API_KEY\)/);
      assert.ok(!error.message.includes(wrong), error.message);
      assert.match(error.message, /\[redacted\]/);
      return true;
    });
    fake.reply({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    await assert.rejects(brave().search(request(), never()), /HTTP 429 \(rate limited/);
  });
});
