import { z } from 'zod';
import { MAX_EXPIRES_IN_SECONDS, MIN_EXPIRES_IN_SECONDS } from '../files/file.js';
import { pageQuerySchema, stringArrayQuery } from './common.js';

/** Request schemas for /v1/files (FileUploadParams, FileListParams). */

export const fileUploadFieldsSchema = z.strictObject({
  expires_in_seconds: z.coerce
    .number()
    .int('expires_in_seconds must be an integer')
    .min(MIN_EXPIRES_IN_SECONDS, `expires_in_seconds must be at least ${MIN_EXPIRES_IN_SECONDS}`)
    .max(MAX_EXPIRES_IN_SECONDS, `expires_in_seconds must be at most ${MAX_EXPIRES_IN_SECONDS}`)
    .optional(),
});

export const fileListQuerySchema = z.strictObject({
  limit: pageQuerySchema.limit,
  page: pageQuerySchema.page,
  scope_id: z.string().min(1).optional(),
  ids: stringArrayQuery.pipe(z.array(z.string().min(1)).max(100, 'ids holds at most 100 ids')).optional(),
});
