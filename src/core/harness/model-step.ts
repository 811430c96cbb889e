import type { DraftEvent, ModelUsage } from '../events/session-event.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type {
  ModelContentBlock,
  ModelProvider,
  ModelRequest,
  ModelStopReason,
} from '../ports/model-provider.js';
import { answerKey, keyAt, type StepPosition } from './append-keys.js';
import { type AutoJudge, evaluatePermission } from './permissions.js';
import type { ToolCatalog } from './tool-catalog.js';

export interface ModelStepResult {
  stopReason: ModelStopReason;
  usage: ModelUsage;
}

const ZERO_USAGE: ModelUsage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

/**
 * One model request. The response's message and tool-use events are appended
 * together with `span.model_request_end` in one atomic append, so a crash
 * mid-stream leaves no half answer in the log: the call is simply made again.
 */
export async function runModelStep(options: {
  sessionId: string;
  log: HarnessLog;
  /** Where the step stands in its thread's log: keys the request's start (append-keys.ts). */
  position: StepPosition;
  provider: ModelProvider;
  /**
   * Builds the request once `span.model_request_start` is committed, from the
   * log up to that event: input that lands while the request is being built is
   * then either in it or after the start (and so seen as new by the next fold).
   */
  buildRequest: (startEventId: string) => Promise<ModelRequest>;
  catalog: ToolCatalog;
  judge?: AutoJudge | undefined;
  signal: AbortSignal;
}): Promise<ModelStepResult> {
  const { sessionId, log, provider, catalog, signal } = options;
  const [start] = await log.append(
    sessionId,
    [{ type: 'span.model_request_start' }],
    keyAt(options.position, 'span.model_request_start'),
  );
  const request = await options.buildRequest(start?.id ?? '');
  const startId = start?.id ?? '';
  // A start has one end, whichever path closes it (here, or run-session.ts on wake).
  const endKey = modelRequestEndKey(startId);
  const collected: DraftEvent[] = [];
  let usage: ModelUsage = ZERO_USAGE;
  let stopReason: ModelStopReason = 'end_turn';
  let thinkingAnnounced = false;
  let previewId: string | undefined;
  try {
    for await (const part of provider.stream(request, signal)) {
      switch (part.type) {
        case 'thinking-start':
          if (!thinkingAnnounced) {
            thinkingAnnounced = true;
            const thinkingId = log.newEventId?.();
            if (thinkingId) {
              log.preview?.(sessionId, {
                type: 'event_start',
                event: { type: 'agent.thinking', id: thinkingId },
              });
            }
            await log.append(
              sessionId,
              [{ type: 'agent.thinking', ...(thinkingId ? { id: thinkingId } : {}) } as DraftEvent],
              answerKey(startId, 'agent.thinking'),
            );
          }
          break;
        case 'text-delta':
          // The preview names the id the committed agent.message will carry.
          if (previewId === undefined && log.newEventId) {
            previewId = log.newEventId();
            log.preview?.(sessionId, {
              type: 'event_start',
              event: { type: 'agent.message', id: previewId },
            });
          }
          if (previewId !== undefined) {
            log.preview?.(sessionId, {
              type: 'event_delta',
              event_id: previewId,
              delta: { type: 'content_delta', index: part.index, content: { type: 'text', text: part.text } },
            });
          }
          break;
        case 'block-end': {
          const event = toEvent(part.block, catalog, options.judge);
          if (event) collected.push(event);
          break;
        }
        case 'message-end':
          stopReason = part.stopReason;
          usage = {
            input_tokens: part.usage.input_tokens,
            output_tokens: part.usage.output_tokens,
            cache_read_input_tokens: part.usage.cache_read_input_tokens,
            cache_creation_input_tokens: part.usage.cache_creation_input_tokens,
            // The TTL split prices 1-hour cache writes at 2× input instead of 1.25×.
            ...(part.usage.cache_creation ? { cache_creation: { ...part.usage.cache_creation } } : {}),
          };
          break;
        default:
          break;
      }
    }
  } catch (error) {
    await log.append(
      sessionId,
      [
        {
          type: 'span.model_request_end',
          model_request_start_id: startId,
          is_error: true,
          model_usage: usage,
          model: request.model,
        },
      ],
      endKey,
    );
    throw error;
  }
  const answer = withPreviewId(mergeTextEvents(collected), previewId);
  await log.append(
    sessionId,
    [
      ...answer,
      {
        type: 'span.model_request_end',
        model_request_start_id: startId,
        is_error: false,
        model_usage: usage,
        // Which model to price the tokens at (threads may run other models than the session's agent).
        model: request.model,
      },
    ],
    [...answer.map((_, index) => answerKey(startId, `answer#${index}`)), endKey],
  );
  return { stopReason, usage };
}

/** The key of a model request's `span.model_request_end` (append-keys.ts). */
export function modelRequestEndKey(startId: string): string {
  return answerKey(startId, 'span.model_request_end');
}

function toEvent(
  block: ModelContentBlock,
  catalog: ToolCatalog,
  judge: AutoJudge | undefined,
): DraftEvent | undefined {
  if (block.type === 'text') {
    return block.text.length > 0
      ? { type: 'agent.message', content: [{ type: 'text', text: block.text }] }
      : undefined;
  }
  if (block.type !== 'tool_use') return undefined;
  const entry = catalog.lookup(block.name);
  const input = block.input ?? {};
  if (!entry) {
    // Refused before any policy applied: no evaluation, verdict deny.
    return { type: 'agent.tool_use', name: block.name, input, evaluated_permission: 'deny' };
  }
  if (entry.kind === 'custom') return { type: 'agent.custom_tool_use', name: block.name, input };
  const decision = evaluatePermission(entry, input, judge);
  if (entry.kind === 'mcp') {
    return {
      type: 'agent.mcp_tool_use',
      name: block.name,
      mcp_server_name: entry.mcpServerName ?? '',
      input,
      evaluated_permission: decision.verdict,
      evaluation: decision.evaluation,
    };
  }
  return {
    type: 'agent.tool_use',
    name: block.name,
    input,
    evaluated_permission: decision.verdict,
    evaluation: decision.evaluation,
  };
}

/** Adjacent text blocks become one agent.message, as the hosted product reports them. */
function mergeTextEvents(events: DraftEvent[]): DraftEvent[] {
  const out: DraftEvent[] = [];
  for (const event of events) {
    const previous = out[out.length - 1];
    if (event.type === 'agent.message' && previous?.type === 'agent.message') {
      previous.content.push(...event.content);
    } else {
      out.push(event);
    }
  }
  return out;
}

/** The first agent.message takes the id its preview announced, so the preview closes on it. */
function withPreviewId(events: DraftEvent[], previewId: string | undefined): DraftEvent[] {
  if (previewId === undefined) return events;
  const index = events.findIndex((event) => event.type === 'agent.message');
  if (index < 0) return events;
  return events.map((event, position) =>
    position === index ? ({ ...event, id: previewId } as DraftEvent) : event,
  );
}
