import type { DomainRule } from '../tools/domain-filter.js';

export interface WebSearchResult {
  title: string;
  url: string;
  snippet: string;
}

/** The agent's `user_location` (all fields optional, as the SDK defines them). */
export interface WebSearchUserLocation {
  city?: string | null | undefined;
  region?: string | null | undefined;
  country?: string | null | undefined;
  timezone?: string | null | undefined;
}

/** What a backend is asked. The domain rules are hints; results are filtered again afterwards. */
export interface WebSearchRequest {
  query: string;
  /** Results the model gets at most; a backend may fetch more so that filtering leaves enough. */
  maxResults: number;
  allowedDomains: readonly DomainRule[] | undefined;
  blockedDomains: readonly DomainRule[];
  userLocation: WebSearchUserLocation | undefined;
}

/**
 * web_search has a pluggable backend (src/search/). It runs on the server and
 * throws, with a message the model may read and no credential in it, when a
 * search fails. Without one configured, the tool answers with a clear error so
 * the model can carry on without it.
 */
export interface WebSearchBackend {
  search(request: WebSearchRequest, signal: AbortSignal): Promise<WebSearchResult[]>;
}
