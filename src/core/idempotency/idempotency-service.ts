import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { PaddockError } from '../errors.js';
import type { IdempotencyRepository } from '../ports/idempotency-store.js';

/** How long a key holds (as the usual practice: a day covers any client's retries). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** A first request still "running" after this long died with its node; its key is free again. */
const IN_FLIGHT_TIMEOUT_MS = 10 * 60 * 1000;

export interface IdempotentRequest {
  /** The caller (see Credential): keys never cross callers. */
  scope: string;
  key: string;
  method: string;
  path: string;
  /** The parsed JSON body, or undefined. */
  body: unknown;
}

export type IdempotencyOutcome =
  /** Run the request, then `complete` (or `release` on a server-side failure). */
  | { kind: 'run' }
  /** The same request was answered before: send this again. */
  | { kind: 'replay'; status: number; body: string };

/**
 * `Idempotency-Key` on POSTs: the first response for (caller, key) is stored and replayed to a
 * retry of the same request, so a retry cannot create a second agent. The same key with another
 * request is a 422; a retry while the first is still running is a retryable 409.
 */
export class IdempotencyService {
  constructor(
    private readonly repository: IdempotencyRepository,
    private readonly clock: Clock,
  ) {}

  async begin(request: IdempotentRequest): Promise<IdempotencyOutcome> {
    if (request.key.length === 0 || request.key.length > 255 || !/^[\x21-\x7e]+$/.test(request.key))
      throw new PaddockError('invalid_request', 'Idempotency-Key: 1 to 255 printable ASCII characters');
    const now = this.clock.now();
    const requestHash = hashRequest(request);
    const held = await this.repository.claim(
      {
        scope: request.scope,
        key: request.key,
        requestHash,
        status: null,
        body: null,
        createdAt: toTimestamp(now),
      },
      toTimestamp(now - IDEMPOTENCY_KEY_TTL_MS),
    );
    if (!held) return { kind: 'run' };
    if (held.requestHash !== requestHash)
      throw new PaddockError(
        'unprocessable',
        'Idempotency-Key: this key was used with a different request; use a new key for a new request',
        { errorCode: 'idempotency_key_mismatch' },
      );
    if (held.status === null || held.body === null) {
      const abandoned = Date.parse(held.createdAt) < now - IN_FLIGHT_TIMEOUT_MS;
      if (abandoned) {
        await this.repository.release(request.scope, request.key);
        return this.begin(request);
      }
      throw new PaddockError(
        'conflict',
        'Idempotency-Key: the first request with this key is still running',
        {
          errorCode: 'idempotency_key_in_use',
          retryable: true,
        },
      );
    }
    return { kind: 'replay', status: held.status, body: held.body };
  }

  complete(scope: string, key: string, status: number, body: string): Promise<void> {
    return this.repository.complete(scope, key, status, body);
  }

  release(scope: string, key: string): Promise<void> {
    return this.repository.release(scope, key);
  }
}

function hashRequest(request: IdempotentRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.path}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}
