import Anthropic from '@anthropic-ai/sdk';
import type { Stream } from '@anthropic-ai/sdk/core/streaming';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { ModelProvider, ModelRequest, ModelStreamPart } from '../../core/ports/model-provider.js';
import { toModelProviderError } from './anthropic-error.js';
import { convertToAnthropicRequest } from './convert-to-anthropic-request.js';
import { mapAnthropicStream } from './map-anthropic-stream.js';
import { createRequestSerializer } from './serialize-anthropic-request.js';

/** What messages.create gives a streaming request when no timeout is set (the SDK's default). */
const STREAM_TIMEOUT_MS = 600_000;

export interface AnthropicProviderOptions {
  /** Without `/v1`, e.g. https://api.anthropic.com or a `paddock mock-model` URL. */
  baseUrl: string;
  apiKey: string | undefined;
  fetch?: typeof fetch;
}

/**
 * Talks to the Messages API through the official SDK. The SDK never retries
 * (maxRetries 0): the harness owns retries so it can emit an event for each.
 */
export function createAnthropicProvider(options: AnthropicProviderOptions): ModelProvider {
  const client = new Anthropic({
    baseURL: options.baseUrl,
    // Always pass a key so the SDK never searches the environment or profile
    // files for credentials: configuration is read in src/config only. A local
    // mock ignores it; api.anthropic.com answers 401, reported as authentication.
    apiKey: options.apiKey ?? 'paddock-no-api-key-configured',
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const serialize = createRequestSerializer();

  async function* stream(request: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelStreamPart> {
    try {
      // The body goes as JSON already written (serialize-anthropic-request.ts): the SDK sends
      // bytes verbatim, where messages.create would stringify the whole conversation.
      const events = await client.post<Stream<RawMessageStreamEvent>>('/v1/messages', {
        body: serialize(convertToAnthropicRequest(request)),
        headers: { 'content-type': 'application/json' },
        stream: true,
        timeout: STREAM_TIMEOUT_MS,
        signal,
      });
      yield* mapAnthropicStream(events);
    } catch (error) {
      // The SDK ends an aborted stream quietly (seen here as an early end) or
      // throws its own abort error; the port wants the signal's reason either way.
      if (signal.aborted) throw signal.reason;
      throw toModelProviderError(error, {
        baseUrl: options.baseUrl,
        keyConfigured: options.apiKey !== undefined,
      });
    }
  }

  return { name: 'anthropic', stream };
}
