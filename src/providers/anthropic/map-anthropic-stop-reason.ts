import type { ModelStopReason } from '../../core/ports/model-provider.js';

export function mapAnthropicStopReason(stopReason: string | null | undefined): ModelStopReason {
  switch (stopReason) {
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
    case 'refusal':
    case 'pause_turn':
    case 'end_turn':
      return stopReason;
    // Running out of context is, for the loop, the same as running out of tokens.
    case 'model_context_window_exceeded':
      return 'max_tokens';
    default:
      return 'end_turn';
  }
}
