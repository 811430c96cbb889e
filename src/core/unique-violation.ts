/**
 * Recognises a unique-index violation from either store dialect without
 * importing a driver: SQLite reports `SQLITE_CONSTRAINT_UNIQUE`, Postgres `23505`.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
