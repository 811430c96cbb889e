import type { ModelStopReason } from '../../core/ports/model-provider.js';
import { chunkJson, chunkWords, type PlannedReply } from './plan-reply.js';

/**
 * Renders a planned reply as OpenAI chat completions, the dialect Ollama,
 * vLLM, llama.cpp server and OpenRouter speak. Thinking becomes
 * `reasoning_content`, as vLLM and llama.cpp server stream it.
 */
export interface ChatChunk {
  data: Record<string, unknown>;
  /** Whether the per-chunk delay applies before this chunk. */
  isChunk: boolean;
}

const CREATED = 1_700_000_000;

export function openAIChatCompletion(reply: PlannedReply): Record<string, unknown> {
  const text = textOf(reply);
  const reasoning = reasoningOf(reply);
  const toolCalls = reply.content.flatMap((block) =>
    block.type === 'tool_use'
      ? [
          {
            id: block.id,
            type: 'function',
            function: { name: block.name, arguments: JSON.stringify(block.input) },
          },
        ]
      : [],
  );
  return {
    id: completionId(reply),
    object: 'chat.completion',
    created: CREATED,
    model: reply.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' ? null : text,
          ...(reasoning === '' ? {} : { reasoning_content: reasoning }),
          ...(toolCalls.length === 0 ? {} : { tool_calls: toolCalls }),
        },
        finish_reason: finishReasonOf(reply.stopReason),
      },
    ],
    usage: openAIUsage(reply),
  };
}

export function* openAIChatChunks(reply: PlannedReply, includeUsage: boolean): Generator<ChatChunk> {
  const base = {
    id: completionId(reply),
    object: 'chat.completion.chunk',
    created: CREATED,
    model: reply.model,
  };
  const delta = (value: Record<string, unknown>, isChunk = true): ChatChunk => ({
    data: { ...base, choices: [{ index: 0, delta: value, finish_reason: null }] },
    isChunk,
  });
  yield delta({ role: 'assistant', content: '' }, false);
  let toolIndex = 0;
  for (const block of reply.content) {
    switch (block.type) {
      case 'thinking':
        for (const text of chunkWords(block.thinking)) yield delta({ reasoning_content: text });
        break;
      case 'text':
        for (const text of chunkWords(block.text)) yield delta({ content: text });
        break;
      case 'tool_use': {
        const index = toolIndex++;
        yield delta({
          tool_calls: [
            { index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } },
          ],
        });
        for (const piece of chunkJson(JSON.stringify(block.input))) {
          yield delta({ tool_calls: [{ index, function: { arguments: piece } }] });
        }
        break;
      }
    }
  }
  yield {
    data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReasonOf(reply.stopReason) }] },
    isChunk: false,
  };
  if (includeUsage) yield { data: { ...base, choices: [], usage: openAIUsage(reply) }, isChunk: false };
}

export function openAIErrorBody(status: number, type: string | undefined, message: string | undefined) {
  const errorType =
    type ??
    (status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error');
  return { error: { message: message ?? `scripted ${errorType}`, type: errorType, code: status } };
}

function openAIUsage(reply: PlannedReply) {
  // OpenAI counts cached tokens inside prompt_tokens; Anthropic reports them apart.
  const cached = reply.usage.cache_read_input_tokens;
  const prompt = reply.usage.input_tokens + cached + reply.usage.cache_creation_input_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: reply.usage.output_tokens,
    total_tokens: prompt + reply.usage.output_tokens,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

function finishReasonOf(stopReason: ModelStopReason): string {
  if (stopReason === 'tool_use') return 'tool_calls';
  if (stopReason === 'max_tokens') return 'length';
  if (stopReason === 'refusal') return 'content_filter';
  return 'stop';
}

function completionId(reply: PlannedReply): string {
  return reply.id.replace('msg_', 'chatcmpl-');
}

function textOf(reply: PlannedReply): string {
  return reply.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

function reasoningOf(reply: PlannedReply): string {
  return reply.content.map((block) => (block.type === 'thinking' ? block.thinking : '')).join('');
}
