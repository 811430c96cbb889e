import type { OutboundFetch } from '../../core/ports/outbound-http.js';
import type {
  WebSearchBackend,
  WebSearchRequest,
  WebSearchResult,
} from '../../core/ports/web-search-backend.js';
import { plainText } from '../plain-text.js';
import { DEFAULT_SEARCH_TIMEOUT_MS, getJson } from '../search-http.js';
import { withSiteTerms } from '../site-terms.js';

export const BRAVE_SEARCH_BASE_URL = 'https://api.search.brave.com';

export interface BraveOptions {
  /** The outbound client (src/outbound): the operator's backend host is allowed by its policy. */
  fetch: OutboundFetch;
  apiKey: string;
  /** Default https://api.search.brave.com; tests and proxies point it elsewhere. */
  baseUrl?: string;
  timeoutMs?: number;
}

/** Brave's `country` is an enum; another value is a 422, so those places go only in the X-Loc headers. */
const BRAVE_COUNTRIES = new Set(
  'AR AU AT BE BR CA CL DK FI FR DE HK IN ID IT JP KR MY MX NL NZ NO CN PL PT PH RU SA ZA ES SE CH TW TR GB US'.split(
    ' ',
  ),
);

/** The API's query limits (400 characters, 50 words). */
const MAX_QUERY = { maxChars: 400, maxWords: 50 };
const MAX_COUNT = 20;

/**
 * The Brave Search web API: `GET /res/v1/web/search?q=…` with the key in
 * `X-Subscription-Token` (a header, so it is in no URL or log line).
 */
export function createBraveBackend(options: BraveOptions): WebSearchBackend {
  const base = new URL(options.baseUrl ?? BRAVE_SEARCH_BASE_URL);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return {
    async search(request, signal) {
      const url = new URL('res/v1/web/search', base);
      url.searchParams.set('q', withSiteTerms(request, MAX_QUERY));
      // With domain rules some results get dropped afterwards: ask for the most a page holds.
      const filtered = request.allowedDomains !== undefined || request.blockedDomains.length > 0;
      url.searchParams.set('count', String(filtered ? MAX_COUNT : Math.min(request.maxResults, MAX_COUNT)));
      url.searchParams.set('result_filter', 'web');
      url.searchParams.set('text_decorations', 'false');
      const country = request.userLocation?.country?.toUpperCase();
      if (country && BRAVE_COUNTRIES.has(country)) url.searchParams.set('country', country);
      const body = await getJson({
        fetch: options.fetch,
        service: 'Brave Search',
        url,
        headers: { 'x-subscription-token': options.apiKey, ...locationHeaders(request) },
        timeoutMs: options.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS,
        signal,
        secrets: [options.apiKey],
        statusHints: {
          401: 'check PADDOCK_BRAVE_SEARCH_API_KEY',
          403: 'check PADDOCK_BRAVE_SEARCH_API_KEY and its plan',
          429: "rate limited: the plan's per-second or monthly quota is used up",
        },
      });
      return braveResults(body);
    },
  };
}

/** Brave's location headers; header values must be plain ASCII, so other values are left out. */
function locationHeaders(request: WebSearchRequest): Record<string, string> {
  const location = request.userLocation;
  const headers: Record<string, string> = {};
  const set = (name: string, value: string | null | undefined) => {
    const trimmed = value?.trim();
    if (trimmed && /^[\x20-\x7e]+$/.test(trimmed)) headers[name] = trimmed;
  };
  set('x-loc-city', location?.city);
  set('x-loc-state-name', location?.region);
  set('x-loc-country', location?.country?.toUpperCase());
  set('x-loc-timezone', location?.timezone);
  return headers;
}

function braveResults(body: unknown): WebSearchResult[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error('Brave Search answered JSON that is not a search response');
  // A query without web results has no `web` section at all.
  const results = (body as { web?: { results?: unknown } }).web?.results ?? [];
  if (!Array.isArray(results)) throw new Error('Brave Search answered web.results that is not a list');
  const out: WebSearchResult[] = [];
  for (const item of results as Array<Record<string, unknown> | null>) {
    const url = item?.['url'];
    if (typeof url !== 'string') continue;
    out.push({ title: plainText(item?.['title']), url, snippet: plainText(item?.['description']) });
  }
  return out;
}
