import type { MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages';
import type { ModelRequest } from '../../core/ports/model-provider.js';
import { addCacheBreakpoints } from './add-cache-breakpoints.js';

/** Extras the Messages API understands, passed through as top-level fields. */
const PASSTHROUGH_EXTRAS = [
  'thinking',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'tool_choice',
  'metadata',
  'output_config',
  'service_tier',
  'speed',
] as const;

/**
 * ModelRequest is already Anthropic-shaped, so conversion is mostly adding
 * cache breakpoints and the extras the API understands. `effort` is a Paddock
 * shorthand for `output_config.effort`.
 */
export function convertToAnthropicRequest(request: ModelRequest): MessageCreateParamsStreaming {
  const cached = addCacheBreakpoints(request);
  const extras = request.extras ?? {};
  const params: Record<string, unknown> = {
    model: cached.model,
    max_tokens: cached.max_tokens,
    messages: cached.messages,
    stream: true,
  };
  if (cached.system && cached.system.length > 0) params.system = cached.system;
  if (cached.tools.length > 0) params.tools = cached.tools;
  for (const key of PASSTHROUGH_EXTRAS) {
    if (extras[key] !== undefined) params[key] = extras[key];
  }
  if (typeof extras.effort === 'string') {
    params.output_config = { ...(params.output_config as object | undefined), effort: extras.effort };
  }
  // Our block types mirror the SDK's param types field for field; the cast
  // only bridges our looser `Record<string, unknown>` sources and schemas.
  return params as unknown as MessageCreateParamsStreaming;
}
