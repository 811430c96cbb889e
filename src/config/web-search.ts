import type { Env } from './config.js';
import { httpUrl, nonEmpty } from './parse-env.js';

/** Where web_search queries go. The search runs on the server; the key never enters a sandbox. */
export type WebSearchConfig =
  | { backend: 'searxng'; url: string }
  | { backend: 'brave'; apiKey: string; baseUrl: string };

/** PADDOCK_WEB_SEARCH picks the backend; without it, whichever backend's variable is set. */
export function parseWebSearchConfig(env: Env): WebSearchConfig | undefined {
  const choice = nonEmpty(env['PADDOCK_WEB_SEARCH'])?.toLowerCase();
  const url = nonEmpty(env['PADDOCK_WEB_SEARCH_URL']);
  const apiKey = nonEmpty(env['PADDOCK_BRAVE_SEARCH_API_KEY']);
  if (choice === undefined && url && apiKey) {
    throw new Error(
      'PADDOCK_WEB_SEARCH_URL and PADDOCK_BRAVE_SEARCH_API_KEY are both set: choose one with PADDOCK_WEB_SEARCH=searxng|brave',
    );
  }
  const backend = choice ?? (url ? 'searxng' : apiKey ? 'brave' : 'none');
  if (backend === 'none') return undefined;
  if (backend === 'searxng') {
    if (!url)
      throw new Error('PADDOCK_WEB_SEARCH=searxng needs PADDOCK_WEB_SEARCH_URL (the SearXNG base URL)');
    return { backend, url: httpUrl('PADDOCK_WEB_SEARCH_URL', url) };
  }
  if (backend === 'brave') {
    if (!apiKey) throw new Error('PADDOCK_WEB_SEARCH=brave needs PADDOCK_BRAVE_SEARCH_API_KEY');
    const baseUrl = nonEmpty(env['PADDOCK_BRAVE_SEARCH_BASE_URL']) ?? 'https://api.search.brave.com';
    return { backend, apiKey, baseUrl: httpUrl('PADDOCK_BRAVE_SEARCH_BASE_URL', baseUrl) };
  }
  throw new Error(`PADDOCK_WEB_SEARCH must be searxng, brave or none, got ${JSON.stringify(choice)}`);
}
