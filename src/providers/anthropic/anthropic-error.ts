import { APIConnectionError, APIError } from '@anthropic-ai/sdk';
import { ModelProviderError } from '../../core/ports/model-provider.js';

/** Error `type`s the API sends in-band on a stream, where there is no HTTP status. */
const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/**
 * SDK failures → ModelProviderError. HTTP errors keep their status; an error
 * event mid-stream gets the status its type implies; connection failures have
 * no status (so they are retryable). The message names the upstream's URL and
 * its error type (`not_found_error` for an unknown model), so a session.error
 * says which server refused what, and why.
 */
export function toModelProviderError(
  error: unknown,
  upstream: { baseUrl: string; keyConfigured: boolean } = { baseUrl: 'anthropic', keyConfigured: true },
): ModelProviderError {
  if (error instanceof ModelProviderError) return error;
  const where = `anthropic upstream ${upstream.baseUrl}`;
  if (error instanceof APIError && !(error instanceof APIConnectionError)) {
    const type = error.type ?? (error.error as { error?: { type?: string } } | undefined)?.error?.type;
    const status =
      typeof error.status === 'number' ? error.status : type ? STATUS_BY_ERROR_TYPE[type] : undefined;
    const message = error.apiMessage ?? error.message;
    const hint =
      status === 401 && !upstream.keyConfigured
        ? ' (ANTHROPIC_API_KEY is not set on the Paddock server)'
        : '';
    return new ModelProviderError(`${where}: ${type ?? `HTTP ${status ?? '?'}`}: ${message}${hint}`, {
      status,
      cause: error,
    });
  }
  return new ModelProviderError(`${where}: ${connectionFailure(error)}`, { cause: error });
}

/** The innermost cause of a failed connection (ECONNREFUSED, ENOTFOUND…): what actually went wrong. */
function connectionFailure(error: unknown): string {
  type Cause = { code?: string; message?: string; cause?: Cause };
  let cause = error as Cause | undefined;
  while (cause?.cause) cause = cause.cause;
  const detail = cause?.code ?? cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return detail && detail !== message ? `${message} (${detail})` : message;
}
