import type { HarnessLog } from '../ports/harness-log.js';
import type { ModelProvider, ModelRequest } from '../ports/model-provider.js';
import { keyAt, type StepPosition } from './append-keys.js';

/** The share of the context window at which history is compacted before the next model call. */
export const COMPACTION_THRESHOLD = 0.8;
export const DEFAULT_CONTEXT_WINDOW_TOKENS = 200_000;

const SUMMARY_PROMPT =
  'Your context window is nearly full. Write a summary of the conversation so far that lets you carry on ' +
  'without it: the user’s requests (quote the latest one exactly), decisions made, files created or changed ' +
  'and their purpose, commands run and what they showed, open problems, and the next steps. Be specific; ' +
  'omit pleasantries. Reply with the summary only.';

/** A cheap, provider-independent estimate: about four characters per token. */
export function estimateTokens(request: ModelRequest): number {
  return Math.ceil(
    JSON.stringify({ system: request.system, messages: request.messages, tools: request.tools }).length / 4,
  );
}

export function needsCompaction(request: ModelRequest, windowTokens: number): boolean {
  return request.messages.length > 1 && estimateTokens(request) > windowTokens * COMPACTION_THRESHOLD;
}

/**
 * Asks the model for a summary, then appends `agent.thread_context_compacted`
 * and the summary as a `system.message` in one append. The request builder
 * starts history from the summary after the last marker (build-model-request.ts),
 * so the log keeps everything while the model sees a short context.
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
  const summaryRequest: ModelRequest = {
    ...request,
    tools: request.tools,
    messages: [...request.messages, { role: 'user', content: [{ type: 'text', text: SUMMARY_PROMPT }] }],
  };
  // Consecutive user turns are merged by the API; keep roles alternating.
  const last = request.messages[request.messages.length - 1];
  if (last?.role === 'user') {
    summaryRequest.messages = [
      ...request.messages.slice(0, -1),
      { role: 'user', content: [...last.content, { type: 'text', text: SUMMARY_PROMPT }] },
    ];
  }
  let summary = '';
  for await (const part of provider.stream(summaryRequest, signal)) {
    if (part.type === 'block-end' && part.block.type === 'text') summary += part.block.text;
  }
  if (summary.trim() === '') throw new Error('compaction produced an empty summary');
  await log.append(
    sessionId,
    [
      { type: 'agent.thread_context_compacted' },
      {
        type: 'system.message',
        content: [{ type: 'text', text: `Summary of the conversation so far:\n${summary}` }],
      },
    ],
    keyAt(options.position, 'compaction'),
  );
}
