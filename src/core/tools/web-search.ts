import type { ToolOutcome } from '../ports/sandbox.js';
import type {
  WebSearchBackend,
  WebSearchResult,
  WebSearchUserLocation,
} from '../ports/web-search-backend.js';
import { domainAllows, domainFilter } from './domain-filter.js';

/** The agent's web_search tool config (`allowed_domains`, `blocked_domains`, `user_location`). */
export interface WebSearchSettings {
  allowedDomains?: readonly string[] | undefined;
  blockedDomains?: readonly string[] | undefined;
  userLocation?: WebSearchUserLocation | null | undefined;
}

export const WEB_SEARCH_MAX_RESULTS = 10;
const MAX_TITLE_CHARS = 200;
const MAX_SNIPPET_CHARS = 400;

const fail = (text: string): ToolOutcome => ({ content: [{ type: 'text', text }], isError: true });

export async function webSearch(
  input: Record<string, unknown>,
  backend: WebSearchBackend | undefined,
  settings: WebSearchSettings,
  signal: AbortSignal,
): Promise<ToolOutcome> {
  const query = input['query'];
  if (typeof query !== 'string' || query.trim() === '') {
    return fail('web_search: input.query must be a non-empty string');
  }
  if (!backend) {
    return fail(
      'web_search is not available: this Paddock server has no search backend configured (see docs/configuration.md).',
    );
  }
  const filter = domainFilter(settings.allowedDomains, settings.blockedDomains);
  let found: WebSearchResult[];
  try {
    found = await backend.search(
      {
        query: query.trim(),
        maxResults: WEB_SEARCH_MAX_RESULTS,
        allowedDomains: filter.allowed,
        blockedDomains: filter.blocked,
        userLocation: settings.userLocation ?? undefined,
      },
      signal,
    );
  } catch (error) {
    return fail(`web_search failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Backends treat site: terms as hints at best, so the agent's rules are enforced here.
  const kept = found.filter((result) => domainAllows(result.url, filter));
  const results = kept.slice(0, WEB_SEARCH_MAX_RESULTS);
  const dropped = found.length - kept.length;
  const note =
    dropped > 0 ? `\n(${dropped} result(s) outside this agent's allowed/blocked domains were left out)` : '';
  const text =
    results.length === 0
      ? `no results${note}`
      : results
          .map(
            (result, index) =>
              `${index + 1}. ${clip(result.title, MAX_TITLE_CHARS) || result.url}\n   ${result.url}\n   ${clip(result.snippet, MAX_SNIPPET_CHARS)}`,
          )
          .join('\n') + note;
  return { content: [{ type: 'text', text }], isError: false };
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
