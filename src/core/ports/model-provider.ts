/**
 * A model provider speaks the Anthropic Messages API shape, our lingua franca:
 * adapters for other wire formats (OpenAI-compatible) convert at their edge.
 * Core never imports a vendor SDK.
 */
export type ModelContentBlock =
  | { type: 'text'; text: string; cache_control?: CacheControl }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | {
      type: 'tool_use';
      id: string;
      name: string;
      input: Record<string, unknown>;
      cache_control?: CacheControl;
    }
  | {
      type: 'tool_result';
      tool_use_id: string;
      content: Array<{ type: 'text'; text: string } | Record<string, unknown>>;
      is_error?: boolean;
      cache_control?: CacheControl;
    }
  | { type: 'image'; source: Record<string, unknown>; cache_control?: CacheControl }
  | { type: 'document'; source: Record<string, unknown>; title?: string; cache_control?: CacheControl };

export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface ModelMessage {
  role: 'user' | 'assistant';
  content: ModelContentBlock[];
}

export interface ModelToolDefinition {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
  cache_control?: CacheControl;
}

export interface ModelRequest {
  model: string;
  system?: Array<{ type: 'text'; text: string; cache_control?: CacheControl }>;
  messages: ModelMessage[];
  tools: ModelToolDefinition[];
  max_tokens: number;
  /** Free-form per-provider extras (effort, speed), passed through when understood. */
  extras?: Record<string, unknown>;
}

export interface ModelUsageReport {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  server_tool_use?: { web_search_requests?: number; web_fetch_requests?: number };
}

export type ModelStopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'refusal'
  | 'pause_turn';

/** Stream parts, noun-action, in the order a provider emits them. */
export type ModelStreamPart =
  | { type: 'message-start'; id: string; model: string }
  | { type: 'text-delta'; index: number; text: string }
  | { type: 'thinking-start'; index: number }
  /** A finished content block; text, thinking and tool_use blocks arrive whole here. */
  | { type: 'block-end'; index: number; block: ModelContentBlock }
  | { type: 'message-end'; stopReason: ModelStopReason; usage: ModelUsageReport };

export interface ModelProvider {
  readonly name: string;
  /**
   * Upstream failures throw ModelProviderError. When `signal` aborts, the
   * stream stops promptly and throws `signal.reason` itself, never a
   * ModelProviderError, so an interrupt is never mistaken for a retryable failure.
   */
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelStreamPart>;
}

/**
 * Upstream failures. `status` is the upstream HTTP status when there was one;
 * 429, 529 and 5xx (and network errors) are retryable.
 */
export class ModelProviderError extends Error {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly kind: 'overloaded' | 'rate_limited' | 'request_failed' | 'authentication' | 'invalid_request';

  constructor(message: string, options: { status?: number | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelProviderError';
    this.status = options.status;
    const status = options.status;
    this.retryable = status === undefined || status === 408 || status === 429 || status >= 500;
    this.kind =
      status === 529 || status === 503
        ? 'overloaded'
        : status === 429
          ? 'rate_limited'
          : status === 401 || status === 403
            ? 'authentication'
            : status !== undefined && status >= 400 && status < 500
              ? 'invalid_request'
              : 'request_failed';
  }
}

/** Chooses the provider for a model id (config: PADDOCK_MODEL_ROUTES). */
export interface ModelRouter {
  providerFor(model: string): ModelProvider;
}
