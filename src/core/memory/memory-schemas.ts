import { z } from 'zod';
import { booleanQuery, metadataPatchSchema, metadataSchema, timestampSchema } from '../schemas/common.js';

/** Limits as the hosted memory guide and the SDK's field docs give them. */
export const MEMORY_LIMITS = {
  contentBytes: 102_400,
  pathBytes: 1024,
  pathSegments: 20,
  storesPerSession: 8,
  instructionsChars: 4096,
  nameChars: 255,
  descriptionChars: 1024,
  /** `view=full` lists hold at most this many items per page. */
  fullViewPageLimit: 20,
} as const;

// Control (Cc), format (Cf) and the line/paragraph separators; names refuse controls only.
const FORBIDDEN_IN_PATH = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const CONTROL = /\p{Cc}/u;

/** Why `path` is not a memory path, or undefined when it is one. */
export function memoryPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (Buffer.byteLength(path, 'utf8') > MEMORY_LIMITS.pathBytes)
    return `must be at most ${MEMORY_LIMITS.pathBytes} bytes`;
  if (FORBIDDEN_IN_PATH.test(path)) return 'must not contain control or format characters, or U+2028/U+2029';
  if (path.normalize('NFC') !== path) return 'must be in Unicode Normalization Form C';
  const segments = path.slice(1).split('/');
  if (segments.length > MEMORY_LIMITS.pathSegments)
    return `must have 1 to ${MEMORY_LIMITS.pathSegments} segments`;
  for (const segment of segments) {
    if (segment === '') return 'must not have an empty segment (no "//" and no trailing "/")';
    if (segment === '.' || segment === '..') return 'must not have a "." or ".." segment';
  }
  return undefined;
}

const memoryPath = z.string().superRefine((value, ctx) => {
  const problem = memoryPathProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const content = z
  .string()
  .refine(
    (value) => Buffer.byteLength(value, 'utf8') <= MEMORY_LIMITS.contentBytes,
    `must be at most ${MEMORY_LIMITS.contentBytes} bytes (UTF-8)`,
  );

const storeName = z
  .string()
  .min(1, 'must not be empty')
  .max(MEMORY_LIMITS.nameChars, `must be at most ${MEMORY_LIMITS.nameChars} characters`)
  .refine((value) => !CONTROL.test(value), 'must not contain control characters');
const description = z
  .string()
  .max(MEMORY_LIMITS.descriptionChars, `must be at most ${MEMORY_LIMITS.descriptionChars} characters`);

export const memoryStoreCreateSchema = z.strictObject({
  name: storeName,
  description: description.optional(),
  metadata: metadataSchema.optional(),
});
export type MemoryStoreCreateInput = z.infer<typeof memoryStoreCreateSchema>;

export const memoryStoreUpdateSchema = z.strictObject({
  name: storeName.nullish(),
  description: description.nullish(),
  metadata: metadataPatchSchema.optional(),
});
export type MemoryStoreUpdateInput = z.infer<typeof memoryStoreUpdateSchema>;

const limit = z.coerce.number().int('limit must be an integer').min(1, 'limit must be at least 1').optional();
const view = z.enum(['basic', 'full']).optional();

export const memoryStoreListQuerySchema = z.strictObject({
  limit,
  page: z.string().min(1).optional(),
  include_archived: booleanQuery.optional(),
  created_at: z.strictObject({ gte: timestampSchema.optional(), lte: timestampSchema.optional() }).optional(),
});

export const viewQuerySchema = z.strictObject({ view });

export const memoryCreateSchema = z.strictObject({
  path: memoryPath,
  // The SDK types it `string | null`; null means an empty memory.
  content: content.nullable(),
});
export type MemoryCreateInput = z.infer<typeof memoryCreateSchema>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hexadecimal characters');

export const memoryUpdateSchema = z.strictObject({
  content: content.nullish(),
  path: memoryPath.nullish(),
  precondition: z
    .strictObject({ type: z.literal('content_sha256'), content_sha256: sha256.optional() })
    .optional(),
});
export type MemoryUpdateInput = z.infer<typeof memoryUpdateSchema>;

export const memoryListQuerySchema = z.strictObject({
  limit,
  page: z.string().min(1).optional(),
  view,
  path_prefix: z
    .string()
    .refine((value) => value.startsWith('/') && value.endsWith('/'), 'must start and end with "/"')
    .optional(),
  depth: z.coerce.number().int('depth must be an integer').min(0).max(1024).optional(),
});

export const memoryDeleteQuerySchema = z.strictObject({ expected_content_sha256: sha256.optional() });

export const memoryVersionListQuerySchema = z.strictObject({
  limit,
  page: z.string().min(1).optional(),
  view,
  memory_id: z.string().min(1).optional(),
  operation: z.enum(['created', 'modified', 'deleted']).optional(),
  session_id: z.string().min(1).optional(),
  api_key_id: z.string().min(1).optional(),
  service_account_id: z.string().min(1).optional(),
  created_at: z.strictObject({ gte: timestampSchema.optional(), lte: timestampSchema.optional() }).optional(),
});

/** A session's `{type: "memory_store"}` resource as clients send it. */
export const memoryStoreResourceSchema = z.strictObject({
  type: z.literal('memory_store'),
  memory_store_id: z.string().min(1),
  access: z.enum(['read_write', 'read_only']).nullish(),
  instructions: z
    .string()
    .max(MEMORY_LIMITS.instructionsChars, `must be at most ${MEMORY_LIMITS.instructionsChars} characters`)
    .nullish(),
});
export type MemoryStoreResourceInput = z.infer<typeof memoryStoreResourceSchema>;
