import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { SecretBox } from '../vaults/secret-box.js';
import type { UserProfileService } from './user-profile-service.js';

/** How long an enrollment or action URL works. */
export const PROFILE_LINK_TTL_MS = 60 * 60 * 1000;
/** Bound into every sealed link, so no other sealed value (a credential's) opens as a link. */
const LINK_OWNER = 'user_profile_link';

interface LinkClaims {
  profile: string;
  action: 'enroll_end_user';
  expires: number;
}

export type OpenedLink =
  | { state: 'valid'; profileId: string; profileName: string | null; expiresAt: string }
  | { state: 'expired' }
  | { state: 'invalid' };

/**
 * Enrollment and action URLs. Paddock runs no enrollment programs, so there is nothing to
 * enroll in; the URLs are still real: sealed (AES-GCM, nothing stored), served by this server
 * until `expires_at`, and they stop working when the profile is deleted. The page says plainly
 * that nothing is granted (docs/user-profiles.md).
 */
export class UserProfileLinks {
  constructor(
    private readonly profiles: UserProfileService,
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  async create(profileId: string, baseUrl: string): Promise<{ url: string; expires_at: string }> {
    await this.profiles.retrieve(profileId);
    const claims: LinkClaims = {
      profile: profileId,
      action: 'enroll_end_user',
      expires: this.clock.now() + PROFILE_LINK_TTL_MS,
    };
    const token = this.box.seal(LINK_OWNER, JSON.stringify(claims));
    return {
      url: `${baseUrl.replace(/\/+$/, '')}/user_profiles/enroll/${token}`,
      expires_at: toTimestamp(claims.expires),
    };
  }

  /** Reads a link: anyone holding it may open it, in any workspace, until it expires. */
  async open(token: string): Promise<OpenedLink> {
    let claims: LinkClaims;
    try {
      claims = JSON.parse(this.box.open(LINK_OWNER, token)) as LinkClaims;
    } catch {
      return { state: 'invalid' };
    }
    if (claims.expires <= this.clock.now()) return { state: 'expired' };
    const profile = await this.profiles.retrieve(claims.profile).catch(() => undefined);
    if (!profile) return { state: 'invalid' };
    return {
      state: 'valid',
      profileId: profile.id,
      profileName: profile.name,
      expiresAt: toTimestamp(claims.expires),
    };
  }
}
