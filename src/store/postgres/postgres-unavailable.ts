/**
 * Recognises "the database is not reachable right now" in the Postgres driver's errors: the
 * SQLSTATE classes for a lost connection (08xxx) and for a server shutting down or starting up
 * (57P01–57P03), too many connections (53300), a socket error, or the pg client's own messages
 * for a connection that died under it. The store turns these into the core's storeUnavailable
 * (unavailable-translation.ts), so no SQLSTATE leaves the store.
 */
export function isPostgresUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      if (code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300') return true;
      if (SOCKET_CODES.has(code)) return true;
    }
    if (typeof message === 'string' && CLIENT_MESSAGES.some((text) => message.includes(text))) return true;
    current = cause;
  }
  return false;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

const CLIENT_MESSAGES = [
  'Connection terminated',
  'not queryable',
  'Client was closed',
  'the database system is',
  'timeout exceeded when trying to connect',
];
