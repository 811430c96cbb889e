import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import {
  type ModelContentBlock,
  ModelProviderError,
  type ModelStopReason,
  type ModelStreamPart,
  type ModelUsageReport,
} from '../../core/ports/model-provider.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';
import { mapAnthropicUsage, mergeAnthropicDeltaUsage } from './map-anthropic-usage.js';

/** A block being streamed: what content_block_start said plus the deltas so far. */
type OpenBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; json: string }
  /** Server-tool blocks Paddock does not model yet; skipped, never half-reported. */
  | { type: 'ignored' };

/**
 * Raw Messages API stream events → ModelStreamParts. Text streams as deltas;
 * every block is also reported whole at content_block_stop, with tool input
 * parsed from the accumulated input_json deltas.
 */
export async function* mapAnthropicStream(
  events: AsyncIterable<RawMessageStreamEvent>,
): AsyncGenerator<ModelStreamPart> {
  const open = new Map<number, OpenBlock>();
  let usage: ModelUsageReport | undefined;
  let stopReason: ModelStopReason = 'end_turn';

  for await (const event of events) {
    switch (event.type) {
      case 'message_start':
        usage = mapAnthropicUsage(event.message.usage);
        yield { type: 'message-start', id: event.message.id, model: event.message.model };
        break;
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text') open.set(event.index, { type: 'text', text: block.text });
        else if (block.type === 'thinking') {
          open.set(event.index, { type: 'thinking', thinking: block.thinking, signature: block.signature });
          yield { type: 'thinking-start', index: event.index };
        } else if (block.type === 'redacted_thinking') {
          open.set(event.index, { type: 'redacted_thinking', data: block.data });
        } else if (block.type === 'tool_use') {
          open.set(event.index, { type: 'tool_use', id: block.id, name: block.name, json: '' });
        } else open.set(event.index, { type: 'ignored' });
        break;
      }
      case 'content_block_delta': {
        const block = open.get(event.index);
        const delta = event.delta;
        if (delta.type === 'text_delta' && block?.type === 'text') {
          block.text += delta.text;
          yield { type: 'text-delta', index: event.index, text: delta.text };
        } else if (delta.type === 'thinking_delta' && block?.type === 'thinking') {
          block.thinking += delta.thinking;
        } else if (delta.type === 'signature_delta' && block?.type === 'thinking') {
          block.signature += delta.signature;
        } else if (delta.type === 'input_json_delta' && block?.type === 'tool_use') {
          block.json += delta.partial_json;
        }
        break;
      }
      case 'content_block_stop': {
        const block = open.get(event.index);
        open.delete(event.index);
        const finished = block ? finishBlock(block) : undefined;
        if (finished) yield { type: 'block-end', index: event.index, block: finished };
        break;
      }
      case 'message_delta':
        stopReason = mapAnthropicStopReason(event.delta.stop_reason);
        if (usage) usage = mergeAnthropicDeltaUsage(usage, event.usage);
        break;
      case 'message_stop':
        if (!usage) throw new ModelProviderError('anthropic: message_stop before message_start');
        yield { type: 'message-end', stopReason, usage };
        return;
    }
  }
  // No message_stop: the connection dropped mid-reply. Retryable (no status).
  throw new ModelProviderError('anthropic: stream ended before message_stop');
}

function finishBlock(block: OpenBlock): ModelContentBlock | undefined {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'thinking':
      return { type: 'thinking', thinking: block.thinking, signature: block.signature };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
    case 'tool_use':
      return {
        type: 'tool_use',
        id: block.id,
        name: block.name,
        input: parseToolInput(block.json, block.name),
      };
    case 'ignored':
      return undefined;
  }
}

function parseToolInput(json: string, name: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  try {
    const input: unknown = JSON.parse(json);
    if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
      return input as Record<string, unknown>;
    }
  } catch {
    // Reported below: a half-written tool call must not reach the tools.
  }
  throw new ModelProviderError(`anthropic: tool_use ${name} has input that is not a JSON object`);
}
