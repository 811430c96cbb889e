import type { WebSearchConfig } from '../config/config.js';
import type { OutboundFetch } from '../core/ports/outbound-http.js';
import type { WebSearchBackend } from '../core/ports/web-search-backend.js';
import { createBraveBackend } from './brave/brave-backend.js';
import { createSearxngBackend } from './searxng/searxng-backend.js';

/**
 * The configured web_search backend, or undefined (the tool then says none is
 * configured). Both adapters are a few lines over fetch, with no SDK behind
 * them, so they are imported eagerly rather than on first use. `fetch` is the
 * outbound client; its policy should allow `searchBackendHost(config)`.
 */
export function createWebSearchBackend(
  config: WebSearchConfig | undefined,
  fetch: OutboundFetch,
): WebSearchBackend | undefined {
  switch (config?.backend) {
    case undefined:
      return undefined;
    case 'searxng':
      return createSearxngBackend({ baseUrl: config.url, fetch });
    case 'brave':
      return createBraveBackend({ apiKey: config.apiKey, baseUrl: config.baseUrl, fetch });
  }
}

/**
 * The backend's host: the operator chose it, so it may be private (a SearXNG on the intranet is
 * common). Anything else the backend's client reaches (a redirect) gets the ordinary policy.
 */
export function searchBackendHost(config: WebSearchConfig | undefined): string[] {
  switch (config?.backend) {
    case undefined:
      return [];
    case 'searxng':
      return [new URL(config.url).hostname];
    case 'brave':
      return [new URL(config.baseUrl).hostname];
  }
}
