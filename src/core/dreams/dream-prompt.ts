import { MEMORY_LIMITS, memoryPathProblem } from '../memory/memory-schemas.js';
import type { MemoryRow } from '../ports/memory-repository.js';
import type { ModelContentBlock, ModelRequest } from '../ports/model-provider.js';
import type { LoggedEvent } from '../sessions/event-log.js';

/** The tool the model answers with: the whole reorganized store, once. */
export const WRITE_MEMORIES_TOOL = 'write_memories';

/** What a dream reads and asks for (docs/dreams.md, "Limits"). */
export const DREAM_BUDGET = {
  /** Transcript characters across all of a dream's sessions; each keeps its most recent part. */
  transcriptChars: 400_000,
  /** The most memories one result may hold. */
  resultMemories: 2000,
  maxOutputTokens: 32_000,
} as const;

export interface SessionTranscript {
  sessionId: string;
  events: LoggedEvent[];
}

export interface PlannedMemory {
  path: string;
  content: string;
}

const SYSTEM = `You consolidate an agent's long-term memory. You read a memory store (text files at paths) and \
transcripts of past sessions, then produce the reorganized store: merge duplicates, correct what the \
sessions show to be outdated, add durable lessons the sessions teach, drop what is no longer useful, and \
arrange the files under clear paths. Answer by calling the ${WRITE_MEMORIES_TOOL} tool exactly once with \
every memory the store should hold afterwards; memories you leave out are removed.`;

/** One line per message: who said it and its text (tool traffic is summarized by name). */
function transcriptText(events: readonly LoggedEvent[]): string {
  const lines: string[] = [];
  for (const { doc: event } of events) {
    if (event.type === 'user.message' || event.type === 'agent.message') {
      const text = event.content
        .map((block) => (block.type === 'text' ? block.text : `[${block.type}]`))
        .join('\n');
      lines.push(`${event.type === 'user.message' ? 'User' : 'Agent'}: ${text}`);
    } else if (event.type === 'agent.tool_use' || event.type === 'agent.mcp_tool_use') {
      lines.push(`Agent used tool ${event.name}`);
    }
  }
  return lines.join('\n');
}

export function buildDreamRequest(options: {
  model: string;
  instructions: string | null;
  memories: readonly MemoryRow[];
  transcripts: readonly SessionTranscript[];
}): ModelRequest {
  const share = Math.floor(DREAM_BUDGET.transcriptChars / Math.max(1, options.transcripts.length));
  const sessions = options.transcripts.map(({ sessionId, events }) => {
    const text = transcriptText(events);
    const kept = text.length > share ? `[… earlier part left out]\n${text.slice(text.length - share)}` : text;
    return `<session id="${sessionId}">\n${kept}\n</session>`;
  });
  const memories = options.memories.map(
    (memory) => `<memory path=${JSON.stringify(memory.path)}>\n${memory.content}\n</memory>`,
  );
  const parts = [
    `<memory_store>\n${memories.join('\n') || '(empty)'}\n</memory_store>`,
    `<sessions>\n${sessions.join('\n')}\n</sessions>`,
  ];
  if (options.instructions) parts.push(`<instructions>\n${options.instructions}\n</instructions>`);
  parts.push(`Reorganize the memory store now: call ${WRITE_MEMORIES_TOOL} with its complete new content.`);
  return {
    model: options.model,
    system: [{ type: 'text', text: SYSTEM }],
    messages: [{ role: 'user', content: [{ type: 'text', text: parts.join('\n\n') }] }],
    tools: [
      {
        name: WRITE_MEMORIES_TOOL,
        description: 'Replace the memory store with these memories (every memory it should hold afterwards).',
        input_schema: {
          type: 'object',
          properties: {
            memories: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  path: { type: 'string', description: 'Starts with "/", e.g. "/preferences/editor.md"' },
                  content: { type: 'string' },
                },
                required: ['path', 'content'],
              },
            },
          },
          required: ['memories'],
        },
      },
    ],
    max_tokens: DREAM_BUDGET.maxOutputTokens,
  };
}

/** The model's result, checked against the store's rules; a string says what is wrong with it. */
export function parseDreamAnswer(blocks: readonly ModelContentBlock[]): PlannedMemory[] | string {
  const call = blocks.find((block) => block.type === 'tool_use' && block.name === WRITE_MEMORIES_TOOL);
  if (call?.type !== 'tool_use') return `the model did not call ${WRITE_MEMORIES_TOOL}`;
  const list = call.input['memories'];
  if (!Array.isArray(list)) return `${WRITE_MEMORIES_TOOL}: memories is not an array`;
  if (list.length > DREAM_BUDGET.resultMemories)
    return `${WRITE_MEMORIES_TOOL}: more than ${DREAM_BUDGET.resultMemories} memories`;
  const planned: PlannedMemory[] = [];
  for (const [index, item] of list.entries()) {
    const { path, content } = (item ?? {}) as { path?: unknown; content?: unknown };
    if (typeof path !== 'string' || typeof content !== 'string')
      return `${WRITE_MEMORIES_TOOL}: memories[${index}] needs a string path and content`;
    const problem = memoryPathProblem(path);
    if (problem) return `${WRITE_MEMORIES_TOOL}: memories[${index}].path ${problem}`;
    if (Buffer.byteLength(content, 'utf8') > MEMORY_LIMITS.contentBytes)
      return `${WRITE_MEMORIES_TOOL}: memories[${index}].content is over ${MEMORY_LIMITS.contentBytes} bytes`;
    planned.push({ path, content });
  }
  const paths = new Set<string>();
  for (const memory of planned) {
    if (paths.has(memory.path)) return `${WRITE_MEMORIES_TOOL}: path ${memory.path} appears twice`;
    paths.add(memory.path);
  }
  // Paths may not overlap: a memory at /a and another at /a/b cannot both exist.
  for (const memory of planned) {
    const segments = memory.path.split('/');
    for (let end = 2; end < segments.length; end++) {
      const ancestor = segments.slice(0, end).join('/');
      if (paths.has(ancestor)) return `${WRITE_MEMORIES_TOOL}: paths ${ancestor} and ${memory.path} overlap`;
    }
  }
  planned.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return planned;
}
