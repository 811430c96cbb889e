import { ModelProviderError } from '../../core/ports/model-provider.js';

/** A non-2xx response → ModelProviderError, with the server's own message when it sent one. */
export async function errorFromResponse(response: Response): Promise<ModelProviderError> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 500) || response.statusText;
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const candidate = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    if (typeof candidate === 'string' && candidate !== '') message = candidate;
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the raw text.
  }
  return new ModelProviderError(`openai-compatible: ${message}`, { status: response.status });
}

/** An error a server reported in-band, inside an otherwise successful stream. */
export function errorFromChunk(error: { message?: string; code?: number | string }): ModelProviderError {
  const status = typeof error.code === 'number' ? error.code : Number.parseInt(String(error.code), 10);
  return new ModelProviderError(`openai-compatible: ${error.message ?? 'error in stream'}`, {
    status: Number.isInteger(status) && status >= 400 && status < 600 ? status : undefined,
  });
}

/** fetch failures without a response (refused, reset, DNS) → no status, so retryable. */
export function errorFromFetchFailure(error: unknown): ModelProviderError {
  if (error instanceof ModelProviderError) return error;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const message = error instanceof Error ? error.message : String(error);
  return new ModelProviderError(`openai-compatible: ${message}${cause}`, { cause: error });
}
