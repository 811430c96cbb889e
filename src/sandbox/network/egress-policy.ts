import type { NetworkPolicy } from '../../core/ports/sandbox.js';

/** Well-known package registries `allow_package_managers` opens (HTTPS and HTTP). */
export const PACKAGE_MANAGER_HOSTS = [
  'deb.debian.org',
  'security.debian.org',
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'crates.io',
  'index.crates.io',
  'static.crates.io',
  'rubygems.org',
  'index.rubygems.org',
  'proxy.golang.org',
  'sum.golang.org',
];

const DEFAULT_PORTS = new Set([80, 443]);

/**
 * Decides which `host:port` a sandbox may open through the egress proxy.
 * `unrestricted` allows every name and port (the proxy still refuses
 * non-public addresses). For `limited`, an entry is a name (ports 80 and 443), a name with a port
 * (`example.com:8080`: that port only), or a wildcard (`*.example.com`:
 * any subdomain, not the apex). Names compare case-insensitively. With
 * `allow_mcp_servers`, the session agent's MCP server hosts are added.
 */
/**
 * A host an allow-list names: a name (or address), or `*.suffix` for any
 * subdomain but not the apex. Shared by the proxy's allow-list and by which
 * hosts an `environment_variable` credential is substituted for.
 */
export interface HostPattern {
  name: string;
  wildcard: boolean;
}

export function parseHostPattern(raw: string): HostPattern {
  const text = raw.trim();
  const wildcard = text.startsWith('*.');
  return { name: normalizeHostName(wildcard ? text.slice(2) : text), wildcard };
}

/** `host` must already be normalized (normalizeHostName). */
export function hostMatches(pattern: HostPattern, host: string): boolean {
  return pattern.wildcard ? host.endsWith(`.${pattern.name}`) : host === pattern.name;
}

/** Case-insensitive, without a trailing dot or IPv6 brackets. */
export function normalizeHostName(name: string): string {
  return unbracketHost(name.trim().toLowerCase().replace(/\.$/, ''));
}

/** `[::1]` → `::1`: an authority's IPv6 literal as an address. */
export const unbracketHost = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');

type Entry = HostPattern & { port: number | undefined };

export class EgressPolicy {
  private readonly entries: Entry[];
  private readonly any: boolean;

  constructor(policy: NetworkPolicy) {
    this.any = policy.type === 'unrestricted';
    const names = [...(policy.allowed_hosts ?? [])];
    if (policy.allow_package_managers) names.push(...PACKAGE_MANAGER_HOSTS);
    this.entries = names.map(parseEntry);
    if (policy.allow_mcp_servers)
      for (const url of policy.mcpServerUrls ?? []) {
        const entry = mcpEntry(url);
        if (entry) this.entries.push(entry);
      }
  }

  allows(host: string, port: number): boolean {
    if (this.any) return true;
    const name = normalizeHostName(host);
    return this.entries.some((entry) => {
      const portOk = entry.port === undefined ? DEFAULT_PORTS.has(port) : entry.port === port;
      return portOk && hostMatches(entry, name);
    });
  }
}

function parseEntry(raw: string): Entry {
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(raw.trim());
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  return { ...parseHostPattern(match?.[1] ?? raw), port };
}

/**
 * An MCP server opens its own host on its own port only: the URL's explicit
 * port, else the scheme's default (https 443, http 80). A URL that does not
 * parse opens nothing.
 */
function mcpEntry(raw: string): Entry | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const defaultPort = url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : undefined;
  const port = url.port === '' ? defaultPort : Number(url.port);
  if (port === undefined || url.hostname === '') return undefined;
  return { name: normalizeHostName(url.hostname), wildcard: false, port };
}
