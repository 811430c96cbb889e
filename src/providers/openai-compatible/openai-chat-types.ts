/**
 * The slice of the OpenAI chat completions wire format Paddock uses. Written
 * by hand: Ollama, vLLM, llama.cpp server and OpenRouter all speak this
 * subset, and none of them is the OpenAI SDK's target.
 */
export type OpenAIChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIUserContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export type OpenAIUserContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIChatMessage[];
  tools?: OpenAIToolDefinition[];
  max_tokens: number;
  stream: true;
  stream_options: { include_usage: true };
  temperature?: number;
  top_p?: number;
  stop?: string[];
}

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

/** One `data:` payload of a streamed completion. */
export interface OpenAIChatChunk {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    delta?: {
      content?: string | null;
      /** vLLM and llama.cpp server call thinking `reasoning_content`; Ollama and OpenRouter `reasoning`. */
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<{
        index?: number;
        id?: string;
        function?: { name?: string; arguments?: string };
      }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: OpenAIUsage | null;
  /** OpenRouter reports upstream failures in-band, mid-stream. */
  error?: { message?: string; code?: number | string };
}
