import { chunkJson, chunkWords, type PlannedReply } from './plan-reply.js';

/**
 * Renders a planned reply exactly as the Anthropic Messages API does, so the
 * official SDK (and our anthropic provider) can't tell the difference.
 */
export interface WireEvent {
  event: string;
  data: Record<string, unknown>;
  /** Whether the per-chunk delay applies before this event. */
  isChunk: boolean;
}

export function anthropicMessage(reply: PlannedReply): Record<string, unknown> {
  return {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: reply.content,
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: reply.usage,
  };
}

export function* anthropicStreamEvents(reply: PlannedReply): Generator<WireEvent> {
  const { output_tokens: _finalOutput, ...startUsage } = reply.usage;
  yield event('message_start', {
    message: {
      ...anthropicMessage(reply),
      content: [],
      stop_reason: null,
      usage: { ...startUsage, output_tokens: 1 },
    },
  });
  yield event('ping', {});
  for (const [index, block] of reply.content.entries()) {
    switch (block.type) {
      case 'text':
        yield event('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const text of chunkWords(block.text)) {
          yield chunk({ index, delta: { type: 'text_delta', text } });
        }
        break;
      case 'thinking':
        yield event('content_block_start', {
          index,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        });
        for (const thinking of chunkWords(block.thinking)) {
          yield chunk({ index, delta: { type: 'thinking_delta', thinking } });
        }
        yield chunk({ index, delta: { type: 'signature_delta', signature: block.signature } });
        break;
      case 'tool_use':
        yield event('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        });
        for (const partial_json of chunkJson(JSON.stringify(block.input))) {
          yield chunk({ index, delta: { type: 'input_json_delta', partial_json } });
        }
        break;
    }
    yield event('content_block_stop', { index });
  }
  yield event('message_delta', {
    delta: { stop_reason: reply.stopReason, stop_sequence: null },
    usage: reply.usage,
  });
  yield event('message_stop', {});
}

export function anthropicErrorBody(status: number, type: string | undefined, message: string | undefined) {
  const errorType = type ?? anthropicErrorType(status);
  return { type: 'error', error: { type: errorType, message: message ?? `scripted ${errorType}` } };
}

function anthropicErrorType(status: number): string {
  if (status === 529) return 'overloaded_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function event(name: string, data: Record<string, unknown>): WireEvent {
  return { event: name, data: { type: name, ...data }, isChunk: false };
}

function chunk(data: Record<string, unknown>): WireEvent {
  return { ...event('content_block_delta', data), isChunk: true };
}
