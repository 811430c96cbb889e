import { z } from 'zod';
import { metadataPatchSchema, metadataSchema, pageQuerySchema } from './common.js';

/** Request schemas for /v1/environments, mirroring EnvironmentCreateParams / EnvironmentUpdateParams. */

const packageList = z.array(z.string().min(1, 'package names must not be empty').max(512)).max(512).nullish();

const packagesParamSchema = z.strictObject({
  type: z.literal('packages').optional(),
  apt: packageList,
  cargo: packageList,
  gem: packageList,
  go: packageList,
  npm: packageList,
  pip: packageList,
});
export type PackagesParam = z.infer<typeof packagesParamSchema>;

const hostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[^\s/]+$/, 'expected a host name such as "api.example.com", not a URL');

const networkingParamSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('unrestricted') }),
  z.strictObject({
    type: z.literal('limited'),
    allowed_hosts: z.array(hostSchema).max(256).nullish(),
    allow_mcp_servers: z.boolean().nullish(),
    allow_package_managers: z.boolean().nullish(),
  }),
]);
export type NetworkingParam = z.infer<typeof networkingParamSchema>;

/** The guide's form: `github: {repository: "owner/repo", branch: "main"}` (or a list of them). */
const githubEntrySchema = z.strictObject({
  repository: z.string().min(1, 'repository must not be empty'),
  branch: z.string().min(1).nullish(),
  mount_path: z.string().regex(/^\//, 'mount_path must be absolute').optional(),
});
const githubParamSchema = z.union([githubEntrySchema, z.array(githubEntrySchema).max(16)]);
export type GithubParam = z.infer<typeof githubParamSchema>;

const cloudConfigParamSchema = z.strictObject({
  type: z.literal('cloud'),
  networking: networkingParamSchema.nullish(),
  packages: packagesParamSchema.nullish(),
  github: githubParamSchema.nullish(),
});
export type CloudConfigParam = z.infer<typeof cloudConfigParamSchema>;

/** A config object without `type` is read as cloud: the guide's examples always mean cloud. */
export const environmentConfigParamSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && !('type' in value)
      ? { ...value, type: 'cloud' }
      : value,
  z.discriminatedUnion('type', [cloudConfigParamSchema, z.strictObject({ type: z.literal('self_hosted') })]),
);
export type EnvironmentConfigParam = z.infer<typeof environmentConfigParamSchema>;

const nameSchema = z.string().min(1, 'name must not be empty').max(256);
const scopeSchema = z.enum(['organization', 'account']);

export const environmentCreateSchema = z.strictObject({
  name: nameSchema,
  config: environmentConfigParamSchema.nullish(),
  description: z.string().max(2048).nullish(),
  metadata: metadataSchema.optional(),
  scope: scopeSchema.nullish(),
});
export type EnvironmentCreateInput = z.infer<typeof environmentCreateSchema>;

export const environmentUpdateSchema = z.strictObject({
  name: nameSchema.nullish(),
  config: environmentConfigParamSchema.nullish(),
  description: z.string().max(2048).nullish(),
  metadata: metadataPatchSchema.optional(),
  scope: scopeSchema.nullish(),
});
export type EnvironmentUpdateInput = z.infer<typeof environmentUpdateSchema>;

export const environmentListQuerySchema = z.strictObject({ ...pageQuerySchema });
