import type { WebSearchRequest } from '../core/ports/web-search-backend.js';

/**
 * The query with the agent's domain rules as `site:` terms, so the backend
 * spends its results on domains the agent may see. Path suffixes are left to
 * the filter afterwards (not every engine takes a path in `site:`). A query
 * the terms would make too long for the API is sent as it is: the results are
 * filtered afterwards either way.
 */
export function withSiteTerms(
  request: Pick<WebSearchRequest, 'query' | 'allowedDomains' | 'blockedDomains'>,
  limits: { maxChars: number; maxWords?: number },
): string {
  const hosts = (rules: ReadonlyArray<{ host: string }>) => [...new Set(rules.map((rule) => rule.host))];
  const terms: string[] = [];
  if (request.allowedDomains && request.allowedDomains.length > 0) {
    const allowed = hosts(request.allowedDomains).map((host) => `site:${host}`);
    terms.push(allowed.length === 1 ? `${allowed[0]}` : `(${allowed.join(' OR ')})`);
  } else {
    terms.push(...hosts(request.blockedDomains).map((host) => `-site:${host}`));
  }
  if (terms.length === 0) return request.query;
  const query = `${request.query} ${terms.join(' ')}`;
  const words = query.split(/\s+/).length;
  if (query.length > limits.maxChars || (limits.maxWords !== undefined && words > limits.maxWords))
    return request.query;
  return query;
}
