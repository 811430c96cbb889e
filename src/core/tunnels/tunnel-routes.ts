import type { Store } from '../ports/store.js';
import type { StoredTunnel } from './tunnel.js';
import { trustedCertificatePems } from './tunnel-certificate-service.js';

/** How a connection to an MCP server under a tunnel's domain is made (docs/tunnels.md). */
export type TunnelRoute =
  | { kind: 'tunnel'; tunnelId: string; host: string; caPems: string[] }
  /** The host is under the tunnel domain but nothing here may carry it; `reason` says why. */
  | { kind: 'refused'; reason: string };

/**
 * Finds the tunnel an MCP server URL names. A URL whose host is a subdomain of an active tunnel's
 * domain, in the session's own workspace, is reached through that tunnel: over https only, the
 * server's certificate verified against the tunnel's active CA certificates only. Any other host
 * under the tunnel base domain is refused with a reason, never sent on to DNS.
 */
export class TunnelRoutes {
  constructor(
    private readonly store: Store,
    private readonly baseDomain: string,
  ) {}

  async route(sessionId: string, url: URL): Promise<TunnelRoute | undefined> {
    const host = url.hostname.toLowerCase().replace(/\.$/, '');
    const base = this.baseDomain.toLowerCase();
    if (!host.endsWith(`.${base}`)) return undefined;
    const session = await this.store.resources.get('session', sessionId);
    // The labels under the base: `<service>.<tunnel label>.<base>`; the tunnel's domain is the last.
    const labels = host.slice(0, -(base.length + 1)).split('.');
    const domain = `${labels.at(-1)}.${base}`;
    const record = await this.store.resources.findByName<StoredTunnel>('tunnel', domain);
    if (!record || !session || record.workspaceId !== session.workspaceId)
      return { kind: 'refused', reason: `no tunnel of this workspace has the domain ${domain}` };
    if (labels.length < 2)
      return { kind: 'refused', reason: `MCP servers are subdomains of the tunnel domain ${domain}` };
    if (record.doc.archived_at) return { kind: 'refused', reason: `tunnel ${record.id} is archived` };
    if (url.protocol !== 'https:')
      return { kind: 'refused', reason: `tunnel ${record.id} carries https only (inner TLS)` };
    const caPems = await trustedCertificatePems(this.store, record.id);
    if (caPems.length === 0)
      return {
        kind: 'refused',
        reason: `tunnel ${record.id} has no active CA certificate, so it refuses MCP traffic`,
      };
    return { kind: 'tunnel', tunnelId: record.id, host, caPems };
  }
}
