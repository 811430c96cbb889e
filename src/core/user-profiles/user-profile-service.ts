import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Store } from '../ports/store.js';
import type {
  ExternalUserDetailsInput,
  UserProfileCreateInput,
  UserProfileUpdateInput,
} from '../schemas/user-profiles.js';
import {
  type ExternalUserDetails,
  emptyExternalUserDetails,
  type UserProfile,
  type UserProfileApiVersion,
} from './user-profile.js';

/** order_by=name sorts in memory over at most this many profiles of a workspace. */
export const MAX_NAME_SORTED_PROFILES = 10_000;
const FUTURE_SLACK_MS = 60_000;

export interface UserProfileListOptions {
  limit: number;
  offset: number;
  order: 'asc' | 'desc';
  orderBy: 'created_at' | 'name';
}

/** /v1/user_profiles: records of the end users a workspace serves (docs/user-profiles.md). */
export class UserProfileService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async create(input: UserProfileCreateInput, version: UserProfileApiVersion): Promise<UserProfile> {
    checkFieldsForVersion(input, version);
    const now = toTimestamp(this.clock.now());
    const details = this.mergeDetails(emptyExternalUserDetails(), legacyDetails(input), true);
    const profile: UserProfile = {
      type: 'user_profile',
      id: this.ids.next('userProfile'),
      name: input.name ?? null,
      metadata: input.metadata ?? {},
      access_type: input.access_type ?? 'application',
      external_user_details: details,
      trust_grants: {},
      created_at: now,
      updated_at: now,
    };
    await this.store.resources.insert({ ...recordFields(profile), doc: profile });
    return profile;
  }

  async retrieve(id: string, store: Store = this.store): Promise<UserProfile> {
    // Inside a transaction the row stays locked until commit (a read-modify-write's read).
    const record = await store.resources.getForUpdate<UserProfile>('user_profile', id);
    if (!record) throw notFound('User profile', id);
    return record.doc;
  }

  async update(
    id: string,
    input: UserProfileUpdateInput,
    version: UserProfileApiVersion,
  ): Promise<UserProfile> {
    checkFieldsForVersion(input, version);
    return this.store.transaction(async (tx) => {
      const current = await this.retrieve(id, tx);
      const metadata = { ...current.metadata };
      for (const [key, value] of Object.entries(input.metadata ?? {})) {
        if (value === '') delete metadata[key];
        else metadata[key] = value;
      }
      if (Object.keys(metadata).length > 16)
        throw invalidRequest('metadata: holds at most 16 pairs', { errorCode: 'invalid_metadata' });
      const profile: UserProfile = {
        ...current,
        name: input.name === undefined ? current.name : input.name,
        access_type: input.access_type ?? current.access_type,
        metadata,
        // The legacy external_id may be cleared with null; external_user_details values may not.
        external_user_details: this.mergeDetails(
          current.external_user_details,
          legacyDetails(input),
          input.external_user_details === undefined,
        ),
        updated_at: toTimestamp(this.clock.now()),
      };
      await tx.resources.update({ ...recordFields(profile), doc: profile });
      return profile;
    });
  }

  async delete(id: string): Promise<{ id: string; type: 'user_profile_deleted' }> {
    await this.retrieve(id);
    await this.store.resources.delete('user_profile', id);
    return { id, type: 'user_profile_deleted' };
  }

  /** One page and whether more follow; `offset` is where the page starts in the chosen order. */
  async list(options: UserProfileListOptions): Promise<{ items: UserProfile[]; hasMore: boolean }> {
    const all: UserProfile[] = [];
    let cursor: Parameters<Store['resources']['list']>[0]['cursor'];
    for (;;) {
      const page = await this.store.resources.list<UserProfile>({
        kind: 'user_profile',
        order: options.order,
        limit: 1000,
        cursor,
      });
      all.push(...page.items.map((record) => record.doc));
      if (options.orderBy === 'created_at' && all.length > options.offset + options.limit) break;
      if (all.length > MAX_NAME_SORTED_PROFILES)
        throw invalidRequest(
          `order_by: name sorts at most ${MAX_NAME_SORTED_PROFILES} profiles; this workspace has more, use order_by=created_at`,
        );
      const last = page.items.at(-1);
      if (!page.hasMore || !last) break;
      cursor = { createdAt: last.createdAt, id: last.id, direction: 'next' };
    }
    if (options.orderBy === 'name') all.sort(byName(options.order));
    const items = all.slice(options.offset, options.offset + options.limit);
    return { items, hasMore: all.length > options.offset + options.limit };
  }

  private mergeDetails(
    current: ExternalUserDetails,
    input: ExternalUserDetailsInput | undefined,
    nullClears: boolean,
  ): ExternalUserDetails {
    if (!input) return current;
    const merged = { ...current };
    for (const [key, value] of Object.entries(input) as Array<[keyof ExternalUserDetails, unknown]>) {
      if (value === undefined) continue;
      if (value === null && nullClears) {
        (merged as Record<string, unknown>)[key] = null;
        continue;
      }
      if (value === null) {
        // Once set, a value cannot be cleared (the hosted rule); null is refused on update.
        throw invalidRequest(`external_user_details.${key}: null is not accepted on update`);
      }
      (merged as Record<string, unknown>)[key] = value;
    }
    if (
      input.onboarded_at !== undefined &&
      Date.parse(input.onboarded_at) > this.clock.now() + FUTURE_SLACK_MS
    )
      throw invalidRequest(
        'external_user_details.onboarded_at: must not be more than 1 minute in the future',
      );
    return merged;
  }
}

/** Legacy top-level fields are views of external_user_details; each is taken only where its version is. */
function checkFieldsForVersion(
  input: UserProfileCreateInput | UserProfileUpdateInput,
  version: UserProfileApiVersion,
): void {
  const refuse = (field: string, hint: string) => {
    throw invalidRequest(`${field}: ${hint}`);
  };
  if (version === 'current') {
    if (input.external_id !== undefined)
      refuse('external_id', 'a legacy field; send external_user_details.reference_id');
    if (input.external_user_onboarded_at !== undefined)
      refuse('external_user_onboarded_at', 'a legacy field; send external_user_details.onboarded_at');
    return;
  }
  if (input.external_user_details !== undefined)
    refuse(
      'external_user_details',
      `not accepted under the user-profiles-${version} beta (send user-profiles-2026-09-04)`,
    );
  if (version === '2026-03-24' && input.external_user_onboarded_at !== undefined)
    refuse('external_user_onboarded_at', 'not accepted under the user-profiles-2026-03-24 beta');
}

function legacyDetails(
  input: UserProfileCreateInput | UserProfileUpdateInput,
): ExternalUserDetailsInput | undefined {
  if (input.external_user_details) return input.external_user_details;
  if (input.external_id === undefined && input.external_user_onboarded_at === undefined) return undefined;
  return {
    ...(input.external_id !== undefined
      ? { reference_id: input.external_id === '' ? null : input.external_id }
      : {}),
    ...(input.external_user_onboarded_at !== undefined
      ? { onboarded_at: input.external_user_onboarded_at }
      : {}),
  };
}

/** Names compared ignoring ASCII case; profiles without a name come last either way. */
function byName(order: 'asc' | 'desc') {
  return (a: UserProfile, b: UserProfile): number => {
    if (a.name === null || b.name === null) return a.name === b.name ? 0 : a.name === null ? 1 : -1;
    const left = a.name.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const right = b.name.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const compared = left < right ? -1 : left > right ? 1 : a.id < b.id ? -1 : 1;
    return order === 'asc' ? compared : -compared;
  };
}

function recordFields(profile: UserProfile) {
  return {
    kind: 'user_profile' as const,
    id: profile.id,
    parentId: null,
    name: null,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: profile.created_at,
    updatedAt: profile.updated_at,
    archivedAt: null,
  };
}
