/** Wire shapes of /v1/user_profiles (the SDK's BetaUserProfile and friends). */

export interface ExternalUserDetails {
  account_status: 'active' | 'suspended' | 'blocked' | null;
  country: string | null;
  email_hash: string | null;
  entity_type: 'individual' | 'business' | 'non_profit' | 'government' | null;
  name_hash: string | null;
  onboarded_at: string | null;
  reference_id: string | null;
}

/** Stored in the current form; the legacy forms are views of it (toUserProfileWire). */
export interface UserProfile {
  type: 'user_profile';
  id: string;
  name: string | null;
  metadata: Record<string, string>;
  access_type: 'application' | 'passthrough';
  external_user_details: ExternalUserDetails;
  /** Paddock runs no programs that grant trust: always empty. */
  trust_grants: Record<string, { status: 'active' | 'pending' | 'rejected' }>;
  created_at: string;
  updated_at: string;
}

/**
 * The user-profiles API version a request speaks, from its `anthropic-beta` header. The SDK
 * 1.10.0 always sends `user-profiles-2026-08-18`; a caller adding `user-profiles-2026-09-04`
 * gets the current form, and so does a request with no user-profiles beta at all.
 */
export type UserProfileApiVersion = 'current' | '2026-08-18' | '2026-03-24';

export function userProfileApiVersion(betaHeader: string | string[] | undefined): UserProfileApiVersion {
  const betas = [betaHeader ?? []]
    .flat()
    .flatMap((value) => value.split(','))
    .map((value) => value.trim());
  if (betas.includes('user-profiles-2026-09-04')) return 'current';
  if (betas.includes('user-profiles-2026-08-18')) return '2026-08-18';
  if (betas.includes('user-profiles-2026-03-24')) return '2026-03-24';
  return 'current';
}

export function toUserProfileWire(profile: UserProfile, version: UserProfileApiVersion) {
  const { external_user_details: details, access_type, ...common } = profile;
  if (version === 'current') return { ...common, access_type, external_user_details: details };
  if (version === '2026-08-18')
    return {
      ...common,
      access_type,
      external_id: details.reference_id,
      external_user_onboarded_at: details.onboarded_at,
    };
  return { ...common, external_id: details.reference_id };
}

export const emptyExternalUserDetails = (): ExternalUserDetails => ({
  account_status: null,
  country: null,
  email_hash: null,
  entity_type: null,
  name_hash: null,
  onboarded_at: null,
  reference_id: null,
});
