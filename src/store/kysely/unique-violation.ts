import { uniqueViolation } from '../../core/unique-violation.js';

/**
 * SQLite reports `SQLITE_CONSTRAINT_UNIQUE` (or `_PRIMARYKEY`), Postgres `23505` for both: the
 * dialect knowledge stays in the store.
 */
function isDialectUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** Runs a write; a unique-index violation comes out as the core's conflict (core/unique-violation.ts). */
export async function translatingUniqueViolation<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw isDialectUniqueViolation(error) ? uniqueViolation(what, error) : error;
  }
}
