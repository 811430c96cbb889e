import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Store } from '../core/ports/store.js';
import { TunnelCertificateService } from '../core/tunnels/tunnel-certificate-service.js';
import { TunnelService } from '../core/tunnels/tunnel-service.js';
import { UserProfileLinks } from '../core/user-profiles/user-profile-links.js';
import { UserProfileService } from '../core/user-profiles/user-profile-service.js';
import type { SecretBox } from '../core/vaults/secret-box.js';
import type { AuditLog } from '../core/workspaces/audit-log.js';

/** Where tunnel domains live unless PADDOCK_TUNNEL_DOMAIN says otherwise (`.internal` is reserved for private use). */
export const DEFAULT_TUNNEL_DOMAIN = 'tunnels.paddock.internal';

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
