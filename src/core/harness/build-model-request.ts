import type { ContentBlock, ToolResultBlock } from '../events/content.js';
import { defineOutcomeText, evaluationEndText } from '../outcomes/outcome-messages.js';
import type {
  ModelContentBlock,
  ModelMessage,
  ModelRequest,
  ModelToolDefinition,
} from '../ports/model-provider.js';
import type { AgentSnapshot } from './agent-snapshot.js';
import { renderTranscript } from './compaction.js';
import type { LogEntry } from './session-state.js';

export const DEFAULT_MAX_TOKENS = 8192;

/**
 * Folds the log into a Messages request. Tool-use ids toward the model are
 * our event ids, so history is stable across providers and restarts.
 */
export function buildModelRequest(
  agent: AgentSnapshot,
  tools: ModelToolDefinition[],
  log: readonly LogEntry[],
): ModelRequest {
  const history = new RequestHistory();
  for (const entry of log) history.add(entry);
  return assembleRequest(agent, tools, history.messages());
}

/** The request around a history: model, system prompt, tools and the agent's extras. */
export function assembleRequest(
  agent: AgentSnapshot,
  tools: ModelToolDefinition[],
  messages: ModelMessage[],
): ModelRequest {
  const request: ModelRequest = {
    model: agent.model.id,
    messages,
    tools,
    max_tokens: DEFAULT_MAX_TOKENS,
  };
  if (agent.system) request.system = [{ type: 'text', text: agent.system }];
  const extras: Record<string, unknown> = {};
  if (agent.model.effort) extras['effort'] = agent.model.effort.type;
  if (agent.model.speed) extras['speed'] = agent.model.speed;
  if (Object.keys(extras).length > 0) request.extras = extras;
  return request;
}

/**
 * The conversation a request carries, folded one log entry at a time: a wake keeps it
 * between steps and adds only what was appended since (fold-checkpoints.ts). A compaction
 * marker restarts it, so it always holds the history after the last marker.
 */
export class RequestHistory {
  private conversation: ModelMessage[] = [];
  /** What was added since this thread's last model request started (one step's worth). */
  private recent: Push[] = [];
  /** Input a compaction's summary does not cover, kept for after the summary. */
  private late: Push[] | undefined;
  private seq = 0;
  /**
   * The messages before the last, as `messages()` hands them out (content sorted, frozen), and
   * the length of each one's JSON: only the last message can still grow (`push`), so these are
   * prepared once, and a step copies one array instead of the whole conversation (issue #21).
   */
  private closed: ModelMessage[] = [];
  private closedJsonLength = 0;

  add({ seq, event }: LogEntry): void {
    this.seq = seq;
    const late = this.late;
    this.late = undefined;
    switch (event.type) {
      case 'span.model_request_start':
        this.recent = [];
        break;
      case 'agent.thread_context_compacted': {
        // The summary is the system.message appended right after the marker; input that landed
        // after the summarized view goes after the summary (see summarized_through_seq).
        const through = event.summarized_through_seq;
        this.late = through === undefined ? [] : this.recent.filter((push) => push.seq > through);
        this.conversation = [];
        this.recent = [];
        this.closed = [];
        this.closedJsonLength = 0;
        break;
      }
      case 'user.message':
        this.push('user', event.content.map(toModelBlock).filter(isBlock));
        break;
      case 'system.message':
        this.push('user', [
          { type: 'text', text: `<system-message>\n${textOf(event.content)}\n</system-message>` },
        ]);
        break;
      case 'agent.thread_message_received':
        this.push('user', [
          {
            type: 'text',
            text: `<message from="${event.from_agent_name ?? event.from_session_thread_id}" thread="${event.from_session_thread_id}">\n${textOf(event.content)}\n</message>`,
          },
        ]);
        break;
      case 'agent.message':
        this.push('assistant', event.content.map(toModelBlock).filter(isBlock));
        break;
      case 'user.define_outcome':
        this.push('user', [{ type: 'text', text: defineOutcomeText(event) }]);
        break;
      case 'span.outcome_evaluation_end':
        this.push('user', [{ type: 'text', text: evaluationEndText(event) }]);
        break;
      case 'agent.tool_use':
      case 'agent.mcp_tool_use':
      case 'agent.custom_tool_use':
        this.push('assistant', [{ type: 'tool_use', id: event.id, name: event.name, input: event.input }]);
        break;
      case 'agent.tool_result':
      case 'user.tool_result':
        this.push('user', [toolResult(event.tool_use_id, event.content, event.is_error)]);
        break;
      case 'agent.mcp_tool_result':
        this.push('user', [toolResult(event.mcp_tool_use_id, event.content, event.is_error)]);
        break;
      case 'user.custom_tool_result':
        this.push('user', [toolResult(event.custom_tool_use_id, event.content, event.is_error)]);
        break;
      default:
        break;
    }
    // Tool results lose their tool_use to the summary: the model gets them as text.
    for (const push of late ?? []) this.push(push.role, push.blocks.map(asText));
  }

  /**
   * The messages as the model gets them: a fresh array (the fold goes on unchanged); the
   * messages in it are frozen, as those before the last are shared with later calls.
   */
  messages(): ModelMessage[] {
    return this.sized().messages;
  }

  /**
   * The messages and the length of their JSON (`JSON.stringify(messages).length`), counted from
   * the prepared messages' lengths instead of serialising the whole conversation at each step:
   * the compaction check's estimate (compaction.ts).
   */
  sized(): { messages: ModelMessage[]; jsonLength: number } {
    const last = this.conversation.length - 1;
    for (let index = this.closed.length; index < last; index++) {
      const prepared = prepare(this.conversation[index] as ModelMessage);
      this.closed.push(prepared);
      this.closedJsonLength += JSON.stringify(prepared).length;
    }
    const messages = this.closed.slice();
    let jsonLength = this.closedJsonLength;
    const open = this.conversation[last];
    if (open) {
      const prepared = prepare(open);
      messages.push(prepared);
      jsonLength += JSON.stringify(prepared).length;
    }
    if (messages[0]?.role === 'assistant') {
      messages.unshift(RESUME);
      jsonLength += RESUME_JSON_LENGTH;
    }
    // `[`, `]` and a comma between each two messages.
    return { messages, jsonLength: jsonLength + 2 + Math.max(0, messages.length - 1) };
  }

  private push(role: ModelMessage['role'], blocks: ModelContentBlock[]): void {
    if (blocks.length === 0) return;
    this.recent.push({ seq: this.seq, role, blocks });
    const last = this.conversation[this.conversation.length - 1];
    // Only the last message grows; it is never among the prepared ones (`sized`).
    if (last && last.role === role) last.content.push(...blocks);
    else this.conversation.push({ role, content: [...blocks] });
  }
}

interface Push {
  seq: number;
  role: ModelMessage['role'];
  blocks: ModelContentBlock[];
}

/** Opens a conversation that starts with the model's turn; one object, so requests share it. */
const RESUME: ModelMessage = Object.freeze({
  role: 'user' as const,
  content: Object.freeze([
    Object.freeze({ type: 'text' as const, text: '(continue)' }),
  ]) as ModelContentBlock[],
});
const RESUME_JSON_LENGTH = JSON.stringify(RESUME).length;

/** A message as sent: its own content array, tool results first (the Messages API wants them so in a user turn). */
function prepare(message: ModelMessage): ModelMessage {
  // The blocks too (shallowly): a provider may keep a frozen message's JSON between requests.
  const content = message.content.map((block) => Object.freeze(block));
  if (message.role === 'user') content.sort((a, b) => rank(a) - rank(b));
  Object.freeze(content);
  return Object.freeze({ role: message.role, content });
}

function asText(block: ModelContentBlock): ModelContentBlock {
  if (block.type !== 'tool_result') return block;
  return {
    type: 'text',
    text: renderTranscript([{ role: 'user', content: [block] }]).replace(/^\[user\] /, ''),
  };
}

function rank(block: ModelContentBlock): number {
  return block.type === 'tool_result' ? 0 : 1;
}

function isBlock(block: ModelContentBlock | undefined): block is ModelContentBlock {
  return block !== undefined;
}

export function textOf(content: readonly ContentBlock[]): string {
  return content
    .map((block) => (block.type === 'text' ? block.text : ''))
    .filter((part) => part.length > 0)
    .join('\n');
}

function toModelBlock(block: ContentBlock): ModelContentBlock | undefined {
  switch (block.type) {
    case 'text':
      return block.text.length > 0 ? { type: 'text', text: block.text } : undefined;
    case 'image':
      return { type: 'image', source: block.source as Record<string, unknown> };
    case 'document':
      return {
        type: 'document',
        source: block.source as Record<string, unknown>,
        ...(block.title ? { title: block.title } : {}),
      };
    case 'search_result':
      return { type: 'text', text: `${block.title} (${block.source})\n${textOf(block.content)}` };
    case 'redacted':
      return undefined;
  }
}

function toolResult(
  toolUseId: string,
  content: ToolResultBlock[] | undefined,
  isError: boolean | null | undefined,
): ModelContentBlock {
  const blocks = (content ?? []).map((block) =>
    block.type === 'text'
      ? { type: 'text' as const, text: block.text }
      : (block as unknown as Record<string, unknown>),
  );
  return {
    type: 'tool_result',
    tool_use_id: toolUseId,
    content: blocks.length > 0 ? blocks : [{ type: 'text', text: '(no output)' }],
    ...(isError ? { is_error: true } : {}),
  };
}
