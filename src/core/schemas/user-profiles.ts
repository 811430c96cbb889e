import { z } from 'zod';
import { pageQuerySchema } from './common.js';

/** Request schemas for /v1/user_profiles (UserProfileCreateParams / UpdateParams / ListParams). */

const text255 = (field: string) =>
  z.string().min(1, `${field} must be 1 to 255 characters`).max(255, `${field} must be 1 to 255 characters`);

/** A complete RFC 3339 timestamp (date, time and offset); the one-minute-ahead rule is the service's. */
const rfc3339 = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
    'expected a complete RFC 3339 timestamp',
  )
  .refine((value) => !Number.isNaN(Date.parse(value)), 'expected a complete RFC 3339 timestamp')
  .transform((value) => new Date(value).toISOString());

const accountStatus = z.enum(['active', 'suspended', 'blocked']);
const entityType = z.enum(['individual', 'business', 'non_profit', 'government']);
const accessType = z.enum(['application', 'passthrough']);

export const externalUserDetailsSchema = z.strictObject({
  account_status: accountStatus.nullish(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in upper case, for example US')
    .nullish(),
  email_hash: text255('email_hash').nullish(),
  entity_type: entityType.nullish(),
  name_hash: text255('name_hash').nullish(),
  onboarded_at: rfc3339.optional(),
  reference_id: text255('reference_id').nullish(),
});
export type ExternalUserDetailsInput = z.infer<typeof externalUserDetailsSchema>;

/** Metadata as user profiles take it: at most 16 pairs; values non-empty on create. */
const metadataKey = z
  .string()
  .min(1, 'metadata keys must not be empty')
  .max(64, 'metadata keys are at most 64 characters');
const profileMetadata = (allowEmpty: boolean) =>
  z
    .record(
      metadataKey,
      allowEmpty
        ? z.string().max(512, 'metadata values are at most 512 characters')
        : z
            .string()
            .min(1, 'metadata values must be non-empty strings')
            .max(512, 'metadata values are at most 512 characters'),
    )
    .refine((value) => Object.keys(value).length <= 16, 'metadata holds at most 16 pairs');

export const userProfileCreateSchema = z.strictObject({
  access_type: accessType.optional(),
  external_id: z.string().max(255, 'external_id is at most 255 characters').nullish(),
  external_user_details: externalUserDetailsSchema.optional(),
  external_user_onboarded_at: rfc3339.optional(),
  metadata: profileMetadata(false).optional(),
  name: z.string().max(255, 'name is at most 255 characters').nullish(),
});
export type UserProfileCreateInput = z.infer<typeof userProfileCreateSchema>;

export const userProfileUpdateSchema = z.strictObject({
  access_type: accessType.nullish(),
  external_id: z.string().max(255, 'external_id is at most 255 characters').nullish(),
  external_user_details: externalUserDetailsSchema.optional(),
  external_user_onboarded_at: rfc3339.optional(),
  // An empty string removes the key.
  metadata: profileMetadata(true).optional(),
  name: z.string().max(255, 'name is at most 255 characters').nullish(),
});
export type UserProfileUpdateInput = z.infer<typeof userProfileUpdateSchema>;

export const userProfileListQuerySchema = z.strictObject({
  limit: pageQuerySchema.limit,
  page: pageQuerySchema.page,
  order: z.enum(['asc', 'desc']).optional(),
  order_by: z.enum(['created_at', 'name']).optional(),
});

export const actionUrlCreateSchema = z.strictObject({
  action: z.strictObject({ type: z.literal('enroll_end_user') }),
});
