import type { WebSearchConfig } from '../config/config.js';
import type { WebSearchBackend } from '../core/tools/web-search.js';
import { createBraveBackend } from './brave/brave-backend.js';
import { createSearxngBackend } from './searxng/searxng-backend.js';

/**
 * The configured web_search backend, or undefined (the tool then says none is
 * configured). Both adapters are a few lines over fetch, with no SDK behind
 * them, so they are imported eagerly rather than on first use.
 */
export function createWebSearchBackend(config: WebSearchConfig | undefined): WebSearchBackend | undefined {
  switch (config?.backend) {
    case undefined:
      return undefined;
    case 'searxng':
      return createSearxngBackend({ baseUrl: config.url });
    case 'brave':
      return createBraveBackend({ apiKey: config.apiKey, baseUrl: config.baseUrl });
  }
}
