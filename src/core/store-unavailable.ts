import { isPaddockError, PaddockError } from './errors.js';

/**
 * What a store throws when its database cannot be reached right now (a lost connection, a
 * server restarting, too many connections). The store recognises its driver's errors
 * (src/store/postgres/postgres-unavailable.ts); the core sees only this. Such a failure says
 * nothing about the work: retrying it once the database is back is correct (appends stay
 * exactly-once, see session-log-adapters.ts).
 */
export const storeUnavailable = (cause: unknown): PaddockError =>
  new PaddockError('unavailable', 'the database is unreachable; retry shortly', {
    retryable: true,
    retryAfterSeconds: 2,
    cause,
  });

/** The store's "unavailable" error, itself or as the cause of an error that wraps it. */
export function findStoreUnavailable(error: unknown): PaddockError | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if (isPaddockError(current) && current.code === 'unavailable') return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isStoreUnavailable = (error: unknown): boolean => findStoreUnavailable(error) !== undefined;
