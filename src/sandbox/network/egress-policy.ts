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
export class EgressPolicy {
  private readonly entries: Array<{ name: string; wildcard: boolean; port: number | undefined }>;
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
    const name = normalizeName(host);
    return this.entries.some((entry) => {
      const portOk = entry.port === undefined ? DEFAULT_PORTS.has(port) : entry.port === port;
      if (!portOk) return false;
      return entry.wildcard ? name.endsWith(`.${entry.name}`) : name === entry.name;
    });
  }
}

function parseEntry(raw: string): { name: string; wildcard: boolean; port: number | undefined } {
  let text = raw.trim();
  const wildcard = text.startsWith('*.');
  if (wildcard) text = text.slice(2);
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(text);
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  return { name: normalizeName(match?.[1] ?? text), wildcard, port };
}

/**
 * An MCP server opens its own host on its own port only: the URL's explicit
 * port, else the scheme's default (https 443, http 80). A URL that does not
 * parse opens nothing.
 */
function mcpEntry(raw: string): { name: string; wildcard: boolean; port: number } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const defaultPort = url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : undefined;
  const port = url.port === '' ? defaultPort : Number(url.port);
  if (port === undefined || url.hostname === '') return undefined;
  return { name: normalizeName(url.hostname), wildcard: false, port };
}

function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1');
}
