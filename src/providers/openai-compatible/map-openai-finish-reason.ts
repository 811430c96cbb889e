import type { ModelStopReason } from '../../core/ports/model-provider.js';

/**
 * Some servers (Ollama among them) answer `stop` even when the reply holds
 * tool calls, so tool calls decide on their own.
 */
export function mapOpenAIFinishReason(
  finishReason: string | null | undefined,
  hasToolCalls: boolean,
): ModelStopReason {
  if (hasToolCalls) return 'tool_use';
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    default:
      return 'end_turn';
  }
}
