import type { HarnessLog } from '../ports/harness-log.js';
import type {
  ModelContentBlock,
  ModelMessage,
  ModelProvider,
  ModelRequest,
} from '../ports/model-provider.js';
import { keyAt, positionSeq, type StepPosition } from './append-keys.js';

/** The share of the context window at which history is compacted before the next model call. */
export const COMPACTION_THRESHOLD = 0.8;
export const DEFAULT_CONTEXT_WINDOW_TOKENS = 200_000;

const SUMMARY_PROMPT =
  'Your context window is nearly full. Write a summary of the conversation so far that lets you carry on ' +
  'without it: the user’s requests (quote the latest one exactly), decisions made, files created or changed ' +
  'and their purpose, commands run and what they showed, open problems, and the next steps. Be specific; ' +
  'omit pleasantries. Reply with the summary only.';

/**
 * A cheap, provider-independent estimate: about four characters per token of the request's
 * JSON. `messagesJsonLength`, when the caller knows it (`RequestHistory.sized`), is
 * `JSON.stringify(request.messages).length`: the same estimate without serialising the whole
 * conversation at every step (issue #21).
 */
export function estimateTokens(request: ModelRequest, messagesJsonLength?: number): number {
  if (messagesJsonLength === undefined) {
    return Math.ceil(
      JSON.stringify({ system: request.system, messages: request.messages, tools: request.tools }).length / 4,
    );
  }
  // The same JSON with `[]` for the messages, then the messages' own length in its place.
  const around = JSON.stringify({ system: request.system, messages: [], tools: request.tools }).length - 2;
  return Math.ceil((around + messagesJsonLength) / 4);
}

export function needsCompaction(
  request: ModelRequest,
  windowTokens: number,
  messagesJsonLength?: number,
): boolean {
  return (
    request.messages.length > 1 &&
    estimateTokens(request, messagesJsonLength) > windowTokens * COMPACTION_THRESHOLD
  );
}

/**
 * Asks the model for a summary, then appends `agent.thread_context_compacted`
 * and the summary as a `system.message` in one append. The request builder
 * starts history from the summary after the last marker (build-model-request.ts),
 * so the log keeps everything while the model sees a short context.
 *
 * The summary request carries the history as one text transcript and offers no
 * tools: with tools on offer a model may answer with a tool call instead of a
 * summary, and the Messages API refuses tool_use/tool_result blocks in a request
 * that declares no tools, so rendering them as text is what lets both go. If the
 * model still gives no summary, a mechanical one (the transcript's latest
 * quarter) is written instead: compaction may lose detail, never wedge a session.
 */
export async function compactHistory(options: {
  sessionId: string;
  log: HarnessLog;
  provider: ModelProvider;
  request: ModelRequest;
  signal: AbortSignal;
  /** Where the step stands in its thread's log (append-keys.ts). */
  position: StepPosition;
}): Promise<void> {
  const { sessionId, log, provider, request, signal } = options;
  const transcript = renderTranscript(request.messages);
  const summaryRequest: ModelRequest = {
    model: request.model,
    max_tokens: request.max_tokens,
    ...(request.system ? { system: request.system } : {}),
    ...(request.extras ? { extras: request.extras } : {}),
    tools: [],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: `<conversation>\n${transcript}\n</conversation>\n\n${SUMMARY_PROMPT}` },
        ],
      },
    ],
  };
  let summary = '';
  for await (const part of provider.stream(summaryRequest, signal)) {
    if (part.type === 'block-end' && part.block.type === 'text') summary += part.block.text;
  }
  const text =
    summary.trim() !== ''
      ? `Summary of the conversation so far:\n${summary}`
      : 'The conversation so far could not be summarised; its earlier part was dropped. ' +
        `Its latest part, verbatim:\n${transcript.slice(-Math.ceil(transcript.length / 4))}`;
  await log.append(
    sessionId,
    [
      // What the summary covers: input that landed since the step read the log stays after it.
      { type: 'agent.thread_context_compacted', summarized_through_seq: positionSeq(options.position) },
      { type: 'system.message', content: [{ type: 'text', text }] },
    ],
    keyAt(options.position, 'compaction'),
  );
}

/** History as plain text: tool calls and results become lines, thinking is left out. */
export function renderTranscript(messages: readonly ModelMessage[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    for (const block of message.content) {
      const line = renderBlock(block);
      if (line !== undefined) lines.push(`[${message.role}] ${line}`);
    }
  }
  return lines.join('\n\n');
}

function renderBlock(block: ModelContentBlock): string | undefined {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'tool_use':
      return `called tool ${block.name} (${block.id}) with ${JSON.stringify(block.input)}`;
    case 'tool_result': {
      const output = block.content
        .map((part) =>
          part['type'] === 'text' && typeof part['text'] === 'string'
            ? part['text']
            : `[${String(part['type'])}]`,
        )
        .join('\n');
      return `result of ${block.tool_use_id}${block.is_error ? ' (error)' : ''}: ${output}`;
    }
    case 'image':
      return '[an image]';
    case 'document':
      return `[a document${block.title ? `: ${block.title}` : ''}]`;
    default:
      return undefined;
  }
}
