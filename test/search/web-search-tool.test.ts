import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import type {
  WebSearchBackend,
  WebSearchRequest,
  WebSearchResult,
} from '../../src/core/ports/web-search-backend.js';
import { domainAllows, parseDomainRule, parseDomainRules } from '../../src/core/tools/domain-filter.js';
import { webSearch } from '../../src/core/tools/web-search.js';
import { withSiteTerms } from '../../src/search/site-terms.js';

const signal = new AbortController().signal;

/** An in-process backend (the port's contract, no HTTP) that answers fixed results and records requests. */
function fixedBackend(results: WebSearchResult[]): WebSearchBackend & { requests: WebSearchRequest[] } {
  const requests: WebSearchRequest[] = [];
  return {
    requests,
    async search(request) {
      requests.push(request);
      return results;
    },
  };
}

const result = (url: string, snippet = 'text'): WebSearchResult => ({ title: url, url, snippet });
const textOf = (outcome: { content: Array<{ type: string; text?: string }> }) =>
  outcome.content.map((block) => block.text ?? '').join('');
const urlsIn = (text: string) => [...text.matchAll(/^ {3}(https?:\S+)$/gm)].map((match) => match[1]);

describe('web_search tool', () => {
  it('answers with a clear error when no backend is configured or the query is missing', async () => {
    const none = await webSearch({ query: 'x' }, undefined, {}, signal);
    assert.equal(none.isError, true);
    assert.match(textOf(none), /no search backend configured \(see docs\/configuration\.md\)/);
    const empty = await webSearch({ query: '  ' }, fixedBackend([]), {}, signal);
    assert.equal(empty.isError, true);
    assert.match(textOf(empty), /input\.query must be a non-empty string/);
  });

  it('turns a failing backend into an error result, not a crash', async () => {
    const failing: WebSearchBackend = {
      async search() {
        throw new Error('SearXNG answered HTTP 502');
      },
    };
    const outcome = await webSearch({ query: 'x' }, failing, {}, signal);
    assert.deepEqual(outcome, {
      content: [{ type: 'text', text: 'web_search failed: SearXNG answered HTTP 502' }],
      isError: true,
    });
  });

  it('keeps only allowed domains and their subdomains, whatever the backend returns', async () => {
    const backend = fixedBackend([
      result('https://example.com/a'),
      result('https://docs.example.com/b'),
      result('https://notexample.com/c'),
      result('https://example.com.evil.org/d'),
      result('https://python.org/3/x'),
      result('https://docs.python.org/3/library'),
      result('https://docs.python.org/2/library'),
    ]);
    const outcome = await webSearch(
      { query: 'q' },
      backend,
      { allowedDomains: ['example.com', 'docs.python.org/3'] },
      signal,
    );
    assert.equal(outcome.isError, false);
    const text = textOf(outcome);
    assert.deepEqual(urlsIn(text), [
      'https://example.com/a',
      'https://docs.example.com/b',
      'https://docs.python.org/3/library',
    ]);
    assert.match(text, /4 result\(s\) outside this agent's allowed\/blocked domains were left out/);
    assert.deepEqual(backend.requests[0]?.allowedDomains, [
      { host: 'example.com', path: '' },
      { host: 'docs.python.org', path: '/3' },
    ]);
  });

  it('drops blocked domains, unparseable and non-http URLs', async () => {
    const backend = fixedBackend([
      result('https://ads.tracker.net/x'),
      result('https://tracker.net/'),
      result('https://good.org/'),
      result('not a url'),
      result('ftp://good.org/file'),
    ]);
    const outcome = await webSearch({ query: 'q' }, backend, { blockedDomains: ['tracker.net'] }, signal);
    assert.deepEqual(urlsIn(textOf(outcome)), ['https://good.org/']);
  });

  it('says "no results" when nothing is left, and still succeeds', async () => {
    const outcome = await webSearch(
      { query: 'q' },
      fixedBackend([result('https://other.org/')]),
      { allowedDomains: ['example.com'] },
      signal,
    );
    assert.equal(outcome.isError, false);
    assert.match(textOf(outcome), /^no results\n\(1 result\(s\) outside/);
  });

  it('caps results at 10 and trims long snippets to one line', async () => {
    const long = `first line\n\n${'word '.repeat(200)}`;
    const backend = fixedBackend(
      Array.from({ length: 25 }, (_, index) => result(`https://r${index}.org/`, long)),
    );
    const outcome = await webSearch({ query: 'q', ignored: true }, backend, {}, signal);
    const text = textOf(outcome);
    assert.equal(urlsIn(text).length, 10);
    const snippet = text.split('\n')[2] ?? '';
    assert.ok(snippet.startsWith('   first line word word'));
    assert.ok(snippet.trim().length <= 400, `snippet of ${snippet.trim().length} characters`);
    assert.ok(snippet.endsWith('…'));
    assert.equal(backend.requests[0]?.maxResults, 10);
  });

  it('hands user_location to the backend', async () => {
    const backend = fixedBackend([]);
    await webSearch({ query: 'q' }, backend, { userLocation: { country: 'GB', city: 'London' } }, signal);
    assert.deepEqual(backend.requests[0]?.userLocation, { country: 'GB', city: 'London' });
  });
});

describe('domain rules', () => {
  it('parse hostnames leniently: scheme, port, *., case, IDN, path suffix', () => {
    assert.deepEqual(parseDomainRule('https://Docs.Example.com:8443/Guide/'), {
      host: 'docs.example.com',
      path: '/Guide',
    });
    assert.deepEqual(parseDomainRule('*.example.com'), { host: 'example.com', path: '' });
    assert.deepEqual(parseDomainRule('bücher.de'), { host: 'xn--bcher-kva.de', path: '' });
    assert.equal(parseDomainRule('  '), undefined);
  });

  it('an allowed list with no usable entry allows nothing (never everything)', () => {
    const filter = { allowed: parseDomainRules(['://']), blocked: [] };
    assert.equal(filter.allowed.length, 0);
    assert.equal(domainAllows('https://example.com/', filter), false);
    assert.equal(domainAllows('https://example.com/', { allowed: undefined, blocked: [] }), true);
  });

  it('become site: terms within the API limits', () => {
    const rules = parseDomainRules(['a.com', 'b.org/path']);
    assert.equal(
      withSiteTerms({ query: 'q', allowedDomains: rules, blockedDomains: [] }, { maxChars: 400 }),
      'q (site:a.com OR site:b.org)',
    );
    assert.equal(
      withSiteTerms({ query: 'q', allowedDomains: undefined, blockedDomains: rules }, { maxChars: 400 }),
      'q -site:a.com -site:b.org',
    );
    assert.equal(
      withSiteTerms({ query: 'q', allowedDomains: rules, blockedDomains: [] }, { maxChars: 10 }),
      'q',
    );
    assert.equal(
      withSiteTerms(
        { query: 'q', allowedDomains: rules, blockedDomains: [] },
        { maxChars: 400, maxWords: 3 },
      ),
      'q',
    );
  });
});

describe('web search configuration', () => {
  const webSearchOf = (env: Record<string, string>) => loadConfig(env).webSearch;

  it('is off unless a backend is configured', () => {
    assert.equal(webSearchOf({}), undefined);
    assert.equal(
      webSearchOf({ PADDOCK_WEB_SEARCH: 'none', PADDOCK_WEB_SEARCH_URL: 'http://127.0.0.1:8888' }),
      undefined,
    );
  });

  it('infers the backend from the variable that is set', () => {
    assert.deepEqual(webSearchOf({ PADDOCK_WEB_SEARCH_URL: 'http://127.0.0.1:8888/' }), {
      backend: 'searxng',
      url: 'http://127.0.0.1:8888/',
    });
    assert.deepEqual(webSearchOf({ PADDOCK_BRAVE_SEARCH_API_KEY: 'k' }), {
      backend: 'brave',
      apiKey: 'k',
      baseUrl: 'https://api.search.brave.com',
    });
  });

  it('lets PADDOCK_WEB_SEARCH choose, and fails at start-up on what cannot work', () => {
    const both = { PADDOCK_WEB_SEARCH_URL: 'http://127.0.0.1:8888', PADDOCK_BRAVE_SEARCH_API_KEY: 'k' };
    assert.throws(() => webSearchOf(both), /both set: choose one with PADDOCK_WEB_SEARCH/);
    assert.equal(webSearchOf({ ...both, PADDOCK_WEB_SEARCH: 'Brave' })?.backend, 'brave');
    assert.deepEqual(
      webSearchOf({
        ...both,
        PADDOCK_WEB_SEARCH: 'brave',
        PADDOCK_BRAVE_SEARCH_BASE_URL: 'http://127.0.0.1:9',
      }),
      { backend: 'brave', apiKey: 'k', baseUrl: 'http://127.0.0.1:9' },
    );
    assert.throws(() => webSearchOf({ PADDOCK_WEB_SEARCH: 'google' }), /must be searxng, brave or none/);
    assert.throws(() => webSearchOf({ PADDOCK_WEB_SEARCH: 'searxng' }), /needs PADDOCK_WEB_SEARCH_URL/);
    assert.throws(() => webSearchOf({ PADDOCK_WEB_SEARCH: 'brave' }), /needs PADDOCK_BRAVE_SEARCH_API_KEY/);
    assert.throws(() => webSearchOf({ PADDOCK_WEB_SEARCH_URL: 'searx.local' }), /must be an http\(s\) URL/);
  });
});
