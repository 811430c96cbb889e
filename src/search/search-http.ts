import type { OutboundFetch } from '../core/ports/outbound-http.js';
import { scrubSecrets } from '../core/secret-scrub.js';

export const DEFAULT_SEARCH_TIMEOUT_MS = 15_000;
/** A search page is small; anything bigger is not a search API answering. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface JsonRequest {
  /** Named in every error message ("SearXNG", "Brave Search"). */
  service: string;
  url: URL;
  /** The outbound client (src/outbound), under the server's address policy. */
  fetch: OutboundFetch;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  /** Extra words for an HTTP status, e.g. how to fix a 401. */
  statusHints?: Record<number, string>;
  /** Values that must never appear in an error message (API keys; short values are not matched). */
  secrets?: readonly string[];
}

/**
 * GETs a JSON document. Every failure (network, timeout, HTTP status,
 * redirect, oversize, bad JSON) throws an Error whose message says what went
 * wrong in words the model and the operator can act on. Redirects are not
 * followed: a custom auth header would go along to wherever they point.
 */
export async function getJson(request: JsonRequest): Promise<unknown> {
  const { service } = request;
  const redact = (text: string) => scrubSecrets(text, request.secrets ?? [], 8);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  let response: Response;
  try {
    response = await request.fetch(request.url, {
      headers: { accept: 'application/json', ...request.headers },
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw new Error(redact(failureMessage(service, error, request, timeout)));
  }
  try {
    if (response.status >= 300 && response.status < 400) {
      throw new Error(
        `${service} answered with a redirect (HTTP ${response.status}); configure the URL it redirects to`,
      );
    }
    const body = await readLimited(response, service);
    if (!response.ok) {
      const hint = request.statusHints?.[response.status];
      const excerpt = body
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 200);
      throw new Error(
        `${service} answered HTTP ${response.status}${hint ? ` (${hint})` : ''}${excerpt ? `: ${excerpt}` : ''}`,
      );
    }
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw new Error(
        `${service} answered with something that is not JSON (content-type ${contentType(response)})`,
      );
    }
  } catch (error) {
    if (timeout.aborted || request.signal.aborted)
      throw new Error(redact(failureMessage(service, error, request, timeout)));
    throw new Error(redact(error instanceof Error ? error.message : String(error)));
  } finally {
    if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined);
  }
}

function failureMessage(service: string, error: unknown, request: JsonRequest, timeout: AbortSignal): string {
  if (request.signal.aborted) return `the ${service} request was cancelled`;
  if (timeout.aborted) return `${service} did not answer within ${request.timeoutMs / 1000} s`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return `could not reach ${service}: ${cause ?? message}`;
}

async function readLimited(response: Response, service: string): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_RESPONSE_BYTES)
        throw new Error(`${service} answered with more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB`);
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const contentType = (response: Response) => response.headers.get('content-type') ?? 'unknown';
