import type {
  ModelContentBlock,
  ModelStopReason,
  ModelUsageReport,
} from '../../core/ports/model-provider.js';
import type { ScriptedTurn } from './scripted-turn.js';

type PlannedBlock = Extract<ModelContentBlock, { type: 'text' | 'thinking' | 'tool_use' }>;

/** A scripted turn with every default filled in, ready to render in any wire format. */
export interface PlannedReply {
  id: string;
  model: string;
  content: PlannedBlock[];
  stopReason: ModelStopReason;
  usage: ModelUsageReport;
  delayMs: number;
}

export interface PlanContext {
  /** 1-based number of this request, for deterministic ids. */
  requestNumber: number;
  model: string;
  /** Everything the request sent, for the input token estimate. */
  inputText: string;
}

export function planReply(turn: ScriptedTurn, context: PlanContext): PlannedReply {
  const content = (turn.content ?? []).map((block, index): PlannedBlock => {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: block.text };
      case 'thinking':
        return {
          type: 'thinking',
          thinking: block.thinking,
          signature: block.signature ?? `scripted-signature-${context.requestNumber}-${index}`,
        };
      case 'tool_use':
        return {
          type: 'tool_use',
          id: block.id ?? `toolu_scripted_${context.requestNumber}_${index}`,
          name: block.name,
          input: block.input,
        };
    }
  });
  const hasToolUse = content.some((block) => block.type === 'tool_use');
  return {
    id: `msg_scripted_${context.requestNumber}`,
    model: context.model,
    content,
    stopReason: turn.stop_reason ?? (hasToolUse ? 'tool_use' : 'end_turn'),
    usage: {
      input_tokens: estimateTokens(context.inputText),
      output_tokens: estimateTokens(content.map(outputTextOf).join('')),
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      ...turn.usage,
    },
    delayMs: turn.delay_ms ?? 0,
  };
}

/** About four characters per token: deterministic, so tests can assert exact numbers. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function outputTextOf(block: PlannedBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'thinking':
      return block.thinking;
    case 'tool_use':
      return JSON.stringify(block.input);
  }
}

/** Splits text into word-sized chunks (each word keeps its trailing space), as real streams do. */
export function chunkWords(text: string): string[] {
  if (text === '') return [];
  return text.match(/\s*\S+\s*/g) ?? [text];
}

/** Splits serialized JSON into fixed-size pieces, cutting mid-token as real input_json deltas do. */
export function chunkJson(json: string, size = 12): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < json.length; start += size) chunks.push(json.slice(start, start + size));
  return chunks;
}
