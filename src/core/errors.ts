/**
 * The one error base class. Core code throws these; the API layer maps `code`
 * to an HTTP status and the wire error body in exactly one place
 * (src/api/error-mapping.ts). Core never mentions HTTP.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'rate_limited'
  | 'overloaded'
  /** The server's own disk is nearly full: new sandboxes and uploads wait until space is freed. */
  | 'insufficient_storage'
  /** The database cannot be reached right now: nothing was decided, the same request can be retried. */
  | 'unavailable'
  /** Well-formed but refused: an Idempotency-Key reused with a different request. */
  | 'unprocessable'
  | 'internal';

export interface PaddockErrorOptions {
  /** Machine-readable sub-code, surfaced as `error.details.error_code`. */
  errorCode?: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  cause?: unknown;
  /** For rate_limited: when a retry can succeed (the API sends it as `retry-after`). */
  retryAfterSeconds?: number;
}

export class PaddockError extends Error {
  readonly code: ErrorCode;
  readonly errorCode: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: PaddockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PaddockError';
    this.code = code;
    this.errorCode = options.errorCode;
    this.details = options.details;
    this.retryable = options.retryable ?? (code === 'rate_limited' || code === 'overloaded');
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const invalidRequest = (message: string, options?: PaddockErrorOptions) =>
  new PaddockError('invalid_request', message, options);

export const notFound = (what: string, id: string, errorCode?: string) =>
  new PaddockError('not_found', `${what} ${JSON.stringify(id)} not found`, {
    errorCode: errorCode ?? `${what.toLowerCase().replace(/\s+/g, '_')}_not_found`,
  });

export const conflict = (message: string, options?: PaddockErrorOptions) =>
  new PaddockError('conflict', message, options);

export const isPaddockError = (error: unknown): error is PaddockError => error instanceof PaddockError;
