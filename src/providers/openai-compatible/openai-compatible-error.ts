import { ModelProviderError } from '../../core/ports/model-provider.js';

/** A non-2xx response → ModelProviderError, with the server's own message when it sent one. */
export async function errorFromResponse(response: Response, baseUrl?: string): Promise<ModelProviderError> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 500) || response.statusText;
  let type: string | undefined;
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown; type?: unknown; code?: unknown } | string;
      message?: unknown;
    };
    const candidate = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    if (typeof candidate === 'string' && candidate !== '') message = candidate;
    const kind = typeof body.error === 'object' ? (body.error.type ?? body.error.code) : undefined;
    if (typeof kind === 'string' && kind !== '') type = kind;
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the raw text.
  }
  // Named by URL and the upstream's own error type, so a session.error says which server refused what.
  const where = baseUrl ? `openai-compatible upstream ${baseUrl}` : 'openai-compatible';
  return new ModelProviderError(`${where}: ${type ?? `HTTP ${response.status}`}: ${message}`, {
    status: response.status,
  });
}

/** An error a server reported in-band, inside an otherwise successful stream. */
export function errorFromChunk(error: { message?: string; code?: number | string }): ModelProviderError {
  const status = typeof error.code === 'number' ? error.code : Number.parseInt(String(error.code), 10);
  return new ModelProviderError(`openai-compatible: ${error.message ?? 'error in stream'}`, {
    status: Number.isInteger(status) && status >= 400 && status < 600 ? status : undefined,
  });
}

/** fetch failures without a response (refused, reset, DNS) → no status, so retryable. */
export function errorFromFetchFailure(error: unknown, baseUrl?: string): ModelProviderError {
  if (error instanceof ModelProviderError) return error;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const message = error instanceof Error ? error.message : String(error);
  const where = baseUrl ? `openai-compatible upstream ${baseUrl}` : 'openai-compatible';
  return new ModelProviderError(`${where}: ${message}${cause}`, { cause: error });
}
