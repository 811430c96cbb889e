import type { OutboundFetch } from '../../core/ports/outbound-http.js';
import type { WebSearchBackend, WebSearchResult } from '../../core/ports/web-search-backend.js';
import { plainText } from '../plain-text.js';
import { DEFAULT_SEARCH_TIMEOUT_MS, getJson } from '../search-http.js';
import { withSiteTerms } from '../site-terms.js';

export interface SearxngOptions {
  /** The outbound client (src/outbound): the operator's backend host is allowed by its policy. */
  fetch: OutboundFetch;
  /** The instance's base URL (`https://searx.example/` or with a path prefix); may carry basic-auth credentials. */
  baseUrl: string;
  timeoutMs?: number;
}

/**
 * A SearXNG instance's JSON API: `GET <base>/search?q=…&format=json`. The
 * instance must allow the json format (`search.formats` in settings.yml).
 * `user_location` is not passed: SearXNG takes a language, not a place.
 */
export function createSearxngBackend(options: SearxngOptions): WebSearchBackend {
  const base = new URL(options.baseUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  // fetch refuses URLs with credentials; they travel as a Basic header instead.
  const headers: Record<string, string> = {};
  if (base.username || base.password) {
    const user = decodeURIComponent(base.username);
    const password = decodeURIComponent(base.password);
    headers['authorization'] = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  return {
    async search(request, signal) {
      const url = new URL('search', base);
      url.searchParams.set('q', withSiteTerms(request, { maxChars: 1000 }));
      url.searchParams.set('format', 'json');
      const body = await getJson({
        fetch: options.fetch,
        service: 'SearXNG',
        url,
        headers,
        timeoutMs: options.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS,
        signal,
        statusHints: {
          401: 'check the credentials in PADDOCK_WEB_SEARCH_URL',
          403: "is json listed in search.formats of the instance's settings.yml?",
          429: "the instance's limiter refused this server; exempt it in limiter.toml",
        },
      });
      return searxngResults(body);
    },
  };
}

function searxngResults(body: unknown): WebSearchResult[] {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new Error('SearXNG answered JSON without a results list');
  const seen = new Set<string>();
  const out: WebSearchResult[] = [];
  for (const item of results as Array<Record<string, unknown> | null>) {
    const url = item?.['url'];
    if (typeof url !== 'string' || seen.has(url)) continue;
    seen.add(url);
    out.push({ title: plainText(item?.['title']), url, snippet: plainText(item?.['content']) });
  }
  return out;
}
