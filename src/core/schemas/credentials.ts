import { z } from 'zod';
import { metadataPatchSchema, metadataSchema, pageQuerySchema, timestampSchema } from './common.js';

/** Request schemas for /v1/vaults/{id}/credentials, mirroring CredentialCreateParams / UpdateParams. */

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const secret = z.string().min(1, 'must not be empty').max(65_536);

const credentialHost = z
  .string()
  .regex(
    /^(\*\.)?([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+$/,
    'expected a bare host name, an IPv4 address or a "*." wildcard (no scheme, port or path)',
  );

const networkingSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('unrestricted') }),
  z.strictObject({
    type: z.literal('limited'),
    allowed_hosts: z.array(credentialHost).min(1).max(16, 'allowed_hosts holds at most 16 entries'),
  }),
]);

const injectionLocationSchema = z.strictObject({
  body: z.boolean().optional(),
  header: z.boolean().optional(),
});

const tokenEndpointAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('client_secret_basic'), client_secret: secret }),
  z.strictObject({ type: z.literal('client_secret_post'), client_secret: secret }),
]);

const refreshCreateSchema = z.strictObject({
  client_id: z.string().min(1),
  token_endpoint: httpUrl,
  token_endpoint_auth: tokenEndpointAuthSchema,
  refresh_token: secret.nullish(),
  scope: z.string().nullish(),
  resource: z.string().nullish(),
});

export const authCreateSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('mcp_oauth'),
    mcp_server_url: httpUrl,
    access_token: secret,
    expires_at: timestampSchema.nullish(),
    refresh: refreshCreateSchema.nullish(),
  }),
  z.strictObject({ type: z.literal('static_bearer'), mcp_server_url: httpUrl, token: secret }),
  z.strictObject({
    type: z.literal('environment_variable'),
    secret_name: z
      .string()
      .max(256)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as "API_TOKEN"'),
    secret_value: secret,
    injection_location: injectionLocationSchema.optional(),
    networking: networkingSchema.optional(),
  }),
]);
export type AuthCreateParam = z.infer<typeof authCreateSchema>;

const secretUpdate = z.strictObject({ client_secret: secret.nullish() });

/** Immutable fields may be repeated unchanged; the service rejects a different value. */
export const authUpdateSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('mcp_oauth'),
    mcp_server_url: z.string().optional(),
    access_token: secret.nullish(),
    expires_at: timestampSchema.nullish(),
    refresh: z
      .strictObject({
        refresh_token: secret.nullish(),
        scope: z.string().nullish(),
        token_endpoint_auth: z
          .discriminatedUnion('type', [
            secretUpdate.extend({ type: z.literal('client_secret_basic') }),
            secretUpdate.extend({ type: z.literal('client_secret_post') }),
          ])
          .optional(),
      })
      .nullish(),
  }),
  z.strictObject({
    type: z.literal('static_bearer'),
    mcp_server_url: z.string().optional(),
    token: secret.nullish(),
  }),
  z.strictObject({
    type: z.literal('environment_variable'),
    secret_name: z.string().optional(),
    secret_value: secret.nullish(),
    injection_location: injectionLocationSchema.optional(),
    networking: networkingSchema.nullish(),
  }),
]);
export type AuthUpdateParam = z.infer<typeof authUpdateSchema>;

const displayName = z.string().max(255).nullish();

export const credentialCreateSchema = z.strictObject({
  auth: authCreateSchema,
  display_name: displayName,
  metadata: metadataSchema.optional(),
});
export type CredentialCreateInput = z.infer<typeof credentialCreateSchema>;

export const credentialUpdateSchema = z.strictObject({
  auth: authUpdateSchema.optional(),
  display_name: displayName,
  metadata: metadataPatchSchema.optional(),
});
export type CredentialUpdateInput = z.infer<typeof credentialUpdateSchema>;

export const credentialListQuerySchema = z.strictObject({ ...pageQuerySchema });
