import type { PaddockConfig } from '../config/config.js';
import { DEFAULT_TUNNEL_DOMAIN } from '../config/tunnels.js';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { OutboundFetch } from '../core/ports/outbound-http.js';
import type { Store } from '../core/ports/store.js';
import { TunnelCertificateService } from '../core/tunnels/tunnel-certificate-service.js';
import { TunnelRoutes } from '../core/tunnels/tunnel-routes.js';
import { TunnelService } from '../core/tunnels/tunnel-service.js';
import { UserProfileLinks } from '../core/user-profiles/user-profile-links.js';
import { UserProfileService } from '../core/user-profiles/user-profile-service.js';
import type { SecretBox } from '../core/vaults/secret-box.js';
import type { AuditLog } from '../core/workspaces/audit-log.js';
import { createOutboundFetch } from '../outbound/outbound-fetch.js';
import { outboundOptions } from './adapter-options.js';

export interface TunnelFamily {
  tunnels: TunnelService;
  certificates: TunnelCertificateService;
}

export interface UserProfileFamily {
  profiles: UserProfileService;
  links: UserProfileLinks;
}

/** The tunnels and user-profiles families (docs/tunnels.md, docs/user-profiles.md). */
export function createTunnelsAndUserProfiles(deps: {
  store: Store;
  ids: IdGenerator;
  clock: Clock;
  secretBox: SecretBox;
  audit: AuditLog;
  /** PADDOCK_TUNNEL_DOMAIN (config/tunnels.ts). */
  tunnelDomain?: string | undefined;
}): { tunnels: TunnelFamily; userProfiles: UserProfileFamily } {
  const { store, ids, clock, secretBox, audit } = deps;
  const tunnels = new TunnelService(store, ids, clock, secretBox, audit, {
    baseDomain: deps.tunnelDomain ?? DEFAULT_TUNNEL_DOMAIN,
  });
  const certificates = new TunnelCertificateService(store, ids, clock, tunnels, audit);
  const profiles = new UserProfileService(store, ids, clock);
  return {
    tunnels: { tunnels, certificates },
    userProfiles: { profiles, links: new UserProfileLinks(profiles, secretBox, clock) },
  };
}

/**
 * The MCP runner's client for servers under a tunnel's domain (core/tunnels/tunnel-routes.ts):
 * one outbound client per tunnel and set of trusted certificates, admitting that tunnel's hosts
 * (and the gateway) although private, trusting only the tunnel's CA certificates, and dialing the
 * gateway when PADDOCK_TUNNEL_GATEWAY names one.
 */
export function createTunnelFetch(
  store: Store,
  config: PaddockConfig,
): (sessionId: string, url: string) => Promise<OutboundFetch | undefined> {
  const routes = new TunnelRoutes(store, config.tunnels.domain);
  const gateway = config.tunnels.gateway;
  // One client per tunnel host, replaced when its trusted certificates change.
  const clients = new Map<string, { pems: string; client: OutboundFetch }>();
  return async (sessionId, url) => {
    const route = await routes.route(sessionId, new URL(url));
    if (route === undefined) return undefined;
    if (route.kind === 'refused') throw new Error(route.reason);
    const pems = route.caPems.join('\n');
    const cached = clients.get(route.host);
    if (cached?.pems === pems) return cached.client;
    const client = createOutboundFetch({
      ...outboundOptions(config, [route.host, ...(gateway ? [gateway.host] : [])]),
      ca: route.caPems,
      dialVia: gateway,
    });
    clients.set(route.host, { pems, client });
    return client;
  };
}
