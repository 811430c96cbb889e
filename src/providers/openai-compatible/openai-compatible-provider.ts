import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { ModelProvider, ModelRequest, ModelStreamPart } from '../../core/ports/model-provider.js';
import { convertToOpenAIRequest } from './convert-to-openai-request.js';
import { mapOpenAIStream } from './map-openai-stream.js';
import type { OpenAIChatChunk } from './openai-chat-types.js';
import { errorFromFetchFailure, errorFromResponse } from './openai-compatible-error.js';

export interface OpenAICompatibleProviderOptions {
  /** Including the version path, e.g. http://127.0.0.1:11434/v1 for Ollama. */
  baseUrl: string;
  /** Sent as a Bearer token when set; local servers usually need none. */
  apiKey: string | undefined;
  /** Paddock model id → upstream model name; unmapped ids are sent as they are. */
  models?: Record<string, string>;
  fetch?: typeof fetch;
}

/** Ollama, vLLM, llama.cpp server, OpenRouter: streamed chat completions over plain fetch. */
export function createOpenAICompatibleProvider(options: OpenAICompatibleProviderOptions): ModelProvider {
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const fetchImplementation = options.fetch ?? fetch;

  async function* stream(request: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelStreamPart> {
    const body = convertToOpenAIRequest(request, options.models?.[request.model] ?? request.model);
    try {
      const response = await fetchImplementation(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal,
      });
      if (!response.ok) throw await errorFromResponse(response, options.baseUrl);
      if (!response.body) throw errorFromFetchFailure(new Error('response has no body'));
      yield* mapOpenAIStream(readChunks(response.body));
    } catch (error) {
      // The port's abort contract: throw the signal's reason, never a retryable error.
      if (signal.aborted) throw signal.reason;
      throw errorFromFetchFailure(error, options.baseUrl);
    }
  }

  return { name: 'openai-compatible', stream };
}

async function* readChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<OpenAIChatChunk> {
  const events = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const event of events) {
    if (event.data === '[DONE]') return;
    let chunk: OpenAIChatChunk;
    try {
      chunk = JSON.parse(event.data) as OpenAIChatChunk;
    } catch {
      // Keep-alive comments never reach here; anything else unparsable is skipped
      // rather than failing a reply that may still complete.
      continue;
    }
    yield chunk;
  }
}
