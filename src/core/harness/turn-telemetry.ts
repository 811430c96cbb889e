import type { Clock } from '../clock.js';
import type { SessionEvent } from '../events/session-event.js';
import type { SpanHandle, Telemetry, ToolKind, TurnRef } from '../ports/telemetry.js';
import type { ModelStepResult } from './model-step.js';
import type { PendingToolUse } from './session-state.js';

/**
 * The turn a log is in: opened by the first `session.status_running` after the last
 * `session.status_idle`. Every node reads the same log, so every node finds the same turn.
 */
export function openTurn(
  events: readonly SessionEvent[],
  sessionId: string,
  agentName?: string,
): TurnRef | undefined {
  let anchor: SessionEvent | undefined;
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index];
    if (!event || event.type === 'session.status_idle') break;
    if (event.type === 'session.status_running') anchor = event;
  }
  if (!anchor) return undefined;
  return { sessionId, anchorEventId: anchor.id, startedAt: anchor.processed_at, agentName };
}

/**
 * The log's events from its last `session.status_idle` on (all of them if there is none):
 * everything `openTurn` looks at, without copying a long session's whole log.
 */
export function lastTurn(entries: ReadonlyArray<{ event: SessionEvent }>): SessionEvent[] {
  let from = entries.length;
  while (from > 0 && entries[from - 1]?.event.type !== 'session.status_idle') from--;
  const turn: SessionEvent[] = [];
  for (let index = Math.max(0, from - 1); index < entries.length; index++) {
    const entry = entries[index];
    if (entry) turn.push(entry.event);
  }
  return turn;
}

/** A model request as a GenAI `chat` span, with its latency and tokens counted by model. */
export async function reportModelRequest(
  telemetry: Telemetry,
  clock: Clock,
  turn: TurnRef | undefined,
  model: string,
  run: () => Promise<ModelStepResult>,
): Promise<ModelStepResult> {
  const started = clock.now();
  const attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model };
  const measured = async (span?: SpanHandle) => {
    try {
      const result = await run();
      span?.setAttributes({
        'gen_ai.usage.input_tokens': result.usage.input_tokens,
        'gen_ai.usage.output_tokens': result.usage.output_tokens,
      });
      telemetry.modelRequest({
        model,
        seconds: (clock.now() - started) / 1000,
        inputTokens: result.usage.input_tokens,
        outputTokens: result.usage.output_tokens,
        outcome: 'ok',
      });
      return result;
    } catch (error) {
      telemetry.modelRequest({
        model,
        seconds: (clock.now() - started) / 1000,
        inputTokens: 0,
        outputTokens: 0,
        outcome: 'error',
      });
      throw error;
    }
  };
  return turn ? telemetry.inTurn(turn, `chat ${model}`, attributes, measured) : measured();
}

const KIND_OF_EVENT: Record<PendingToolUse['event']['type'], ToolKind> = {
  'agent.tool_use': 'builtin',
  'agent.mcp_tool_use': 'mcp',
  'agent.custom_tool_use': 'custom',
};

/** A tool call as a GenAI `execute_tool` span, counted and timed by tool; MCP failures counted by server. */
export async function reportToolCall(
  telemetry: Telemetry,
  clock: Clock,
  turn: TurnRef | undefined,
  pending: PendingToolUse,
  run: () => Promise<{ isError: boolean }>,
): Promise<void> {
  const event = pending.event;
  const kind = KIND_OF_EVENT[event.type];
  const started = clock.now();
  const attributes = {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': event.name,
    'gen_ai.tool.call.id': event.id,
    'gen_ai.tool.type': kind === 'custom' ? 'extension' : 'function',
  };
  const measured = async () => {
    let outcome: 'ok' | 'error' = 'error';
    try {
      if (!(await run()).isError) outcome = 'ok';
    } finally {
      telemetry.toolCall({ tool: event.name, kind, seconds: (clock.now() - started) / 1000, outcome });
      if (outcome === 'error' && event.type === 'agent.mcp_tool_use')
        telemetry.mcpFailure(event.mcp_server_name);
    }
  };
  return turn ? telemetry.inTurn(turn, `execute_tool ${event.name}`, attributes, measured) : measured();
}
