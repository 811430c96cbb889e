import { APIError } from '@anthropic-ai/sdk';
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
 * no status (so they are retryable).
 */
export function toModelProviderError(error: unknown): ModelProviderError {
  if (error instanceof ModelProviderError) return error;
  if (error instanceof APIError) {
    const status =
      typeof error.status === 'number'
        ? error.status
        : error.type
          ? STATUS_BY_ERROR_TYPE[error.type]
          : undefined;
    const message = error.apiMessage ?? error.message;
    return new ModelProviderError(`anthropic: ${message}`, { status, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ModelProviderError(`anthropic: ${message}`, { cause: error });
}
