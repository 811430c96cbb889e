import { z } from 'zod';
import { pageQuerySchema } from './common.js';

/** Request schemas for /v1/tunnels (TunnelCreateParams, TunnelRotateTokenParams, certificates). */

export const tunnelCreateSchema = z.strictObject({
  display_name: z
    .string()
    .min(1, 'display_name must be 1 to 255 characters')
    .max(255, 'display_name must be 1 to 255 characters')
    .nullish(),
});

export const tunnelRotateTokenSchema = z.strictObject({
  reason: z.string().max(1024, 'reason is at most 1024 characters').nullish(),
});

export const tunnelListQuerySchema = z.strictObject({ ...pageQuerySchema });

export const tunnelCertificateCreateSchema = z.strictObject({
  ca_certificate_pem: z.string({ error: 'required field is missing' }).min(1, 'must not be empty'),
});
