import { isIP } from 'node:net';

/**
 * `allowed_domains` / `blocked_domains` entries, as the SDK documents them: a
 * plain hostname ("docs.example.com"), matching that host and its subdomains,
 * with an optional path suffix ("example.com/docs") that narrows the match.
 */
export interface DomainRule {
  host: string;
  /** '' for the whole host, else a path prefix without a trailing slash ("/docs"). */
  path: string;
}

/** Parses one entry leniently (a scheme, port or `*.` is ignored); undefined if it names no host. */
export function parseDomainRule(entry: string): DomainRule | undefined {
  const bare = entry
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^\*?\./, '');
  if (bare === '') return undefined;
  try {
    // The URL parser lowercases and punycodes the host the same way it does for result URLs.
    const url = new URL(`http://${isIP(bare) === 6 ? `[${bare}]` : bare}`);
    const host = trimDot(url.hostname);
    if (host === '') return undefined;
    return { host, path: url.pathname.replace(/\/+$/, '') };
  } catch {
    return undefined;
  }
}

export function parseDomainRules(entries: readonly string[]): DomainRule[] {
  return entries.map(parseDomainRule).filter((rule): rule is DomainRule => rule !== undefined);
}

export function urlMatchesRule(url: URL, rule: DomainRule): boolean {
  const host = trimDot(url.hostname);
  if (host !== rule.host && !host.endsWith(`.${rule.host}`)) return false;
  return rule.path === '' || url.pathname === rule.path || url.pathname.startsWith(`${rule.path}/`);
}

export interface DomainFilter {
  /** undefined: every domain is allowed; a list (even an empty one): only these. */
  allowed: readonly DomainRule[] | undefined;
  blocked: readonly DomainRule[];
}

/** An agent's `allowed_domains` / `blocked_domains` (web_fetch and web_search configs) as rules. */
export function domainFilter(
  allowed: readonly string[] | undefined,
  blocked: readonly string[] | undefined,
): DomainFilter {
  return {
    allowed: allowed ? parseDomainRules(allowed) : undefined,
    blocked: parseDomainRules(blocked ?? []),
  };
}

/**
 * Keeps the http(s) URLs the filter lets through. A URL that does not parse is
 * dropped: it cannot be checked against the rules, nor fetched.
 */
export function domainAllows(rawUrl: string, filter: DomainFilter): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (filter.blocked.some((rule) => urlMatchesRule(url, rule))) return false;
  return filter.allowed === undefined || filter.allowed.some((rule) => urlMatchesRule(url, rule));
}

const trimDot = (host: string) => host.replace(/\.$/, '');
