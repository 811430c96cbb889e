import type { ZodError, ZodType, z } from 'zod';
import { invalidRequest } from '../core/errors.js';

/** `tools[0].type` style paths, as a developer would write them. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function describeZodError(error: ZodError, where?: string): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const basePath = [...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const first = keys[0] ?? '';
    return `${prefix(where, formatPath([...basePath, first]))}unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  if (issue.code === 'invalid_type' && message.includes('received undefined'))
    message = 'required field is missing';
  const extra = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return `${prefix(where, formatPath(basePath))}${message}${extra}`;
}

function prefix(where: string | undefined, path: string): string {
  const full = [where, path].filter((part) => part && part.length > 0).join(where && path ? '.' : '');
  return full ? `${full}: ` : '';
}

/** Parses request input; failures become 400 invalid_request_error naming the field. */
export function parseInput<T extends ZodType>(
  schema: T,
  value: unknown,
  where?: 'body' | 'query',
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error, where);
  return result.data;
}

/** A 400 naming the field; bad `metadata` carries `invalid_metadata` (the SDK's BetaInvalidMetadataError). */
export function invalidInput(error: ZodError, where?: 'body' | 'query') {
  const metadata = error.issues.some((issue) => issue.path[0] === 'metadata');
  return invalidRequest(describeZodError(error, where === 'query' ? 'query' : undefined), {
    ...(metadata ? { errorCode: 'invalid_metadata' } : {}),
  });
}
