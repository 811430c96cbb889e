import { ZodError } from 'zod';
import { type ErrorCode, isPaddockError, PaddockError } from '../core/errors.js';
import { findStoreUnavailable } from '../core/store-unavailable.js';
import { invalidInput } from './validation.js';

/** The wire error types (spec §1.7). */
type WireErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'rate_limit_error'
  | 'overloaded_error'
  | 'api_error';

const BY_CODE: Record<ErrorCode, { status: number; type: WireErrorType }> = {
  invalid_request: { status: 400, type: 'invalid_request_error' },
  authentication: { status: 401, type: 'authentication_error' },
  permission: { status: 403, type: 'permission_error' },
  not_found: { status: 404, type: 'not_found_error' },
  // The hosted API's 409s carry `conflict_error` (the SDK's ErrorType lists it).
  conflict: { status: 409, type: 'conflict_error' },
  precondition_failed: { status: 412, type: 'invalid_request_error' },
  payload_too_large: { status: 413, type: 'invalid_request_error' },
  rate_limited: { status: 429, type: 'rate_limit_error' },
  overloaded: { status: 529, type: 'overloaded_error' },
  insufficient_storage: { status: 507, type: 'api_error' },
  // The hosted API keeps 529 overloaded_error for its own load; a lost database is a plain 503.
  unavailable: { status: 503, type: 'api_error' },
  unprocessable: { status: 422, type: 'invalid_request_error' },
  internal: { status: 500, type: 'api_error' },
};

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: {
    type: 'error';
    error: { type: string; message: string; details?: Record<string, unknown> };
    request_id: string;
  };
}

/**
 * 409s the SDK declares as error objects of their own (BetaManagedAgentsErrorObject): their
 * sub-code is the wire type, and their details (conflicting_memory_id, …) sit on the object.
 */
const OWN_WIRE_TYPES = new Set(['memory_precondition_failed_error', 'memory_path_conflict_error']);

/** The one place where an error becomes an HTTP status and the API's error body. */
export function toErrorResponse(error: unknown, requestId: string): ErrorResponse {
  const known = normalize(error);
  const { status, type } = BY_CODE[known.code];
  const details: Record<string, unknown> = { ...(known.details ?? {}) };
  if (known.errorCode !== undefined) details['error_code'] = known.errorCode;
  const headers: Record<string, string> = {};
  // The SDK retries 409 (and 5xx) unless told otherwise; only transient errors should be retried.
  // 507: the server's disk stays full until an operator frees space; an immediate retry cannot help.
  if (status === 409 || status === 400 || status === 404 || status === 422 || status === 507)
    headers['x-should-retry'] = 'false';
  if (known.retryable) headers['x-should-retry'] = 'true';
  if (known.retryAfterSeconds !== undefined) headers['retry-after'] = String(known.retryAfterSeconds);
  return {
    status,
    headers,
    body: {
      type: 'error',
      error: {
        type: known.errorCode !== undefined && OWN_WIRE_TYPES.has(known.errorCode) ? known.errorCode : type,
        message: known.message,
        ...(known.errorCode !== undefined && OWN_WIRE_TYPES.has(known.errorCode) ? known.details : {}),
        ...(Object.keys(details).length > 0 ? { details } : {}),
      },
      request_id: requestId,
    },
  };
}

function normalize(error: unknown): PaddockError {
  if (isPaddockError(error)) return error;
  if (error instanceof ZodError) return invalidInput(error);
  const fastify = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    if (fastify.statusCode === 413) return new PaddockError('payload_too_large', 'request body is too large');
    if (fastify.statusCode === 404) return new PaddockError('not_found', fastify.message ?? 'not found');
    if (fastify.statusCode === 401)
      return new PaddockError('authentication', fastify.message ?? 'unauthorized');
    return new PaddockError('invalid_request', describeFrameworkError(fastify));
  }
  // A database outage decided nothing: say so and let the SDK retry (503 + x-should-retry: true).
  const unavailable = findStoreUnavailable(error);
  if (unavailable) return unavailable;
  return new PaddockError('internal', 'internal server error', { cause: error });
}

function describeFrameworkError(error: { code?: string; message?: string }): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported Content-Type: send application/json (or multipart/form-data for uploads)';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body: expected a JSON object, got an empty body';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `body: invalid JSON (${error.message ?? 'parse error'})`;
    default:
      return error.message ?? 'invalid request';
  }
}
