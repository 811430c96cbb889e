import {
  type ModelContentBlock,
  ModelProviderError,
  type ModelStreamPart,
  type ModelUsageReport,
} from '../../core/ports/model-provider.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
import type { OpenAIChatChunk, OpenAIUsage } from './openai-chat-types.js';
import { errorFromChunk } from './openai-compatible-error.js';

type StreamingBlock = { index: number; type: 'text' | 'thinking'; text: string };
type PendingToolCall = { index: number; id: string; name: string; arguments: string };

/**
 * Chat completion chunks → ModelStreamParts. Block indexes are assigned in
 * order of first appearance. Text and thinking stream as they come; tool
 * call arguments arrive in pieces and are parsed once the stream is done.
 */
export async function* mapOpenAIStream(
  chunks: AsyncIterable<OpenAIChatChunk>,
): AsyncGenerator<ModelStreamPart> {
  let started = false;
  let nextIndex = 0;
  let streaming: StreamingBlock | undefined;
  const toolCalls = new Map<number, PendingToolCall>();
  let finishReason: string | null | undefined;
  let usage: OpenAIUsage | undefined;

  function* closeStreaming(): Generator<ModelStreamPart> {
    if (!streaming) return;
    const block: ModelContentBlock =
      streaming.type === 'text'
        ? { type: 'text', text: streaming.text }
        : // Only Anthropic signs thinking; an empty signature marks it as foreign.
          { type: 'thinking', thinking: streaming.text, signature: '' };
    yield { type: 'block-end', index: streaming.index, block };
    streaming = undefined;
  }

  for await (const chunk of chunks) {
    if (chunk.error) throw errorFromChunk(chunk.error);
    if (!started) {
      started = true;
      yield { type: 'message-start', id: chunk.id ?? 'chatcmpl-unknown', model: chunk.model ?? 'unknown' };
    }
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    if (choice.finish_reason) finishReason = choice.finish_reason;
    const delta = choice.delta ?? {};

    const reasoning = delta.reasoning_content ?? delta.reasoning;
    for (const [type, text] of [
      ['thinking', reasoning],
      ['text', delta.content],
    ] as const) {
      if (!text) continue;
      if (streaming?.type !== type) {
        yield* closeStreaming();
        streaming = { index: nextIndex++, type, text: '' };
        if (type === 'thinking') yield { type: 'thinking-start', index: streaming.index };
      }
      streaming.text += text;
      if (type === 'text') yield { type: 'text-delta', index: streaming.index, text };
    }

    for (const call of delta.tool_calls ?? []) {
      const key = call.index ?? 0;
      let pending = toolCalls.get(key);
      if (!pending) {
        yield* closeStreaming();
        pending = { index: nextIndex++, id: call.id ?? `call_${key}`, name: '', arguments: '' };
        toolCalls.set(key, pending);
      }
      if (call.id) pending.id = call.id;
      if (call.function?.name) pending.name += call.function.name;
      if (call.function?.arguments) pending.arguments += call.function.arguments;
    }
  }
  if (!started || finishReason === undefined) {
    // No finish_reason: the connection dropped mid-reply. Retryable (no status).
    throw new ModelProviderError('openai-compatible: stream ended before finish_reason');
  }

  yield* closeStreaming();
  for (const call of toolCalls.values()) {
    const input = parseArguments(call);
    yield {
      type: 'block-end',
      index: call.index,
      block: { type: 'tool_use', id: call.id, name: call.name, input },
    };
  }
  yield {
    type: 'message-end',
    stopReason: mapOpenAIFinishReason(finishReason, toolCalls.size > 0),
    usage: mapOpenAIUsage(usage),
  };
}

function parseArguments(call: PendingToolCall): Record<string, unknown> {
  if (call.arguments.trim() === '') return {};
  try {
    const input: unknown = JSON.parse(call.arguments);
    if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
      return input as Record<string, unknown>;
    }
  } catch {
    // Reported below: a half-written tool call must not reach the tools.
  }
  throw new ModelProviderError(
    `openai-compatible: tool call ${call.name} has arguments that are not a JSON object`,
  );
}

/** OpenAI counts cached tokens inside prompt_tokens; Anthropic (our shape) reports them apart. */
function mapOpenAIUsage(usage: OpenAIUsage | undefined): ModelUsageReport {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: 0,
  };
}
