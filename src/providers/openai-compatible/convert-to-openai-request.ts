import type { ModelContentBlock, ModelMessage, ModelRequest } from '../../core/ports/model-provider.js';
import type { OpenAIChatMessage, OpenAIChatRequest, OpenAIUserContentPart } from './openai-chat-types.js';

/**
 * Anthropic-shaped request → chat completions. Thinking blocks are dropped:
 * they carry Anthropic signatures no other server can verify.
 */
export function convertToOpenAIRequest(request: ModelRequest, upstreamModel: string): OpenAIChatRequest {
  const messages: OpenAIChatMessage[] = [];
  const system = (request.system ?? []).map((block) => block.text).join('\n\n');
  if (system !== '') messages.push({ role: 'system', content: system });
  for (const message of request.messages) messages.push(...convertMessage(message));

  const body: OpenAIChatRequest = {
    model: upstreamModel,
    messages,
    max_tokens: request.max_tokens,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.input_schema },
    }));
  }
  const extras = request.extras ?? {};
  if (typeof extras.temperature === 'number') body.temperature = extras.temperature;
  if (typeof extras.top_p === 'number') body.top_p = extras.top_p;
  if (Array.isArray(extras.stop_sequences)) body.stop = extras.stop_sequences as string[];
  return body;
}

function convertMessage(message: ModelMessage): OpenAIChatMessage[] {
  if (message.role === 'assistant') {
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    const toolCalls = message.content.flatMap((block) =>
      block.type === 'tool_use'
        ? [
            {
              id: block.id,
              type: 'function' as const,
              function: { name: block.name, arguments: JSON.stringify(block.input) },
            },
          ]
        : [],
    );
    return [
      {
        role: 'assistant',
        content: text === '' ? null : text,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      },
    ];
  }
  // Tool results go first: chat completions wants them right after the
  // assistant message that made the calls, before any new user text.
  const toolMessages: OpenAIChatMessage[] = [];
  const parts: OpenAIUserContentPart[] = [];
  for (const block of message.content) {
    if (block.type === 'tool_result') {
      const text = toolResultText(block);
      toolMessages.push({
        role: 'tool',
        tool_call_id: block.tool_use_id,
        content: block.is_error ? `Error: ${text}` : text,
      });
    } else {
      const part = userPart(block);
      if (part) parts.push(part);
    }
  }
  if (parts.length === 0) return toolMessages;
  const onlyText = parts.every((part) => part.type === 'text');
  const content = onlyText ? parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n') : parts;
  return [...toolMessages, { role: 'user', content }];
}

function toolResultText(block: Extract<ModelContentBlock, { type: 'tool_result' }>): string {
  return block.content
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '[non-text content]'))
    .join('\n');
}

function userPart(block: ModelContentBlock): OpenAIUserContentPart | undefined {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image': {
      const source = block.source as { type?: string; media_type?: string; data?: string; url?: string };
      if (source.type === 'base64') {
        return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
      }
      if (source.type === 'url' && source.url) return { type: 'image_url', image_url: { url: source.url } };
      return undefined;
    }
    case 'document': {
      const source = block.source as { type?: string; data?: string };
      // Only plain-text documents translate; PDFs have no chat-completions equivalent.
      if (source.type === 'text' && source.data) return { type: 'text', text: source.data };
      return { type: 'text', text: `[document ${block.title ?? ''} omitted: unsupported by this model]` };
    }
    default:
      return undefined;
  }
}
