import { z } from 'zod';
import { metadataPatchSchema, metadataSchema, pageQuerySchema } from './common.js';

/** Request schemas for /v1/vaults, mirroring VaultCreateParams / VaultUpdateParams. */

const displayName = z.string().min(1, 'display_name must not be empty').max(255);

export const vaultCreateSchema = z.strictObject({
  display_name: displayName,
  metadata: metadataSchema.optional(),
});
export type VaultCreateInput = z.infer<typeof vaultCreateSchema>;

export const vaultUpdateSchema = z.strictObject({
  display_name: displayName.nullish(),
  metadata: metadataPatchSchema.optional(),
});
export type VaultUpdateInput = z.infer<typeof vaultUpdateSchema>;

export const vaultListQuerySchema = z.strictObject({ ...pageQuerySchema });
