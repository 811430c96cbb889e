import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export type McpFailureKind = 'connection' | 'authentication';

/** A failure to reach or authenticate to an MCP server; its message is already scrubbed. */
export class McpFailure extends Error {
  constructor(
    readonly kind: McpFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'McpFailure';
  }
}

/** 401/403 from the server (or the SDK's auth error) is authentication; anything else, connection. */
export function failureKind(error: unknown): McpFailureKind {
  if (error instanceof McpFailure) return error.kind;
  if (error instanceof UnauthorizedError) return 'authentication';
  if (error instanceof StreamableHTTPError && (error.code === 401 || error.code === 403))
    return 'authentication';
  return 'connection';
}

/** Whether a request failed before the server could act on it, so sending it again is safe. */
export function rejectedBeforeRunning(error: unknown): boolean {
  if (failureKind(error) === 'authentication') return true;
  if (error instanceof StreamableHTTPError) return error.code === 404 || error.code === 400;
  const code = causeCode(error);
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ENOTFOUND';
}

/** The most useful description of a network error: fetch hides the reason in `cause`. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = causeCode(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** The outbound client refused the address (src/outbound/checked-lookup.ts, `EADDRBLOCKED`). */
export function addressRefused(error: unknown): boolean {
  return causeCode(error) === 'EADDRBLOCKED';
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
