import { isPaddockError, PaddockError } from './errors.js';

const UNIQUE_VIOLATION = 'unique_violation';

/**
 * What a store throws when a write breaks a unique index (e.g. two resources of one kind with one
 * name). The store recognises its dialect's error (src/store/kysely/unique-violation.ts); the core
 * sees only this conflict, and services that expect a race catch it.
 */
export const uniqueViolation = (what: string, cause: unknown): PaddockError =>
  new PaddockError('conflict', `${what} already exists`, { errorCode: UNIQUE_VIOLATION, cause });

export const isUniqueViolation = (error: unknown): boolean =>
  isPaddockError(error) && error.code === 'conflict' && error.errorCode === UNIQUE_VIOLATION;
