import { isPaddockError } from '../errors.js';
import type { DraftEvent } from '../events/session-event.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import type { ToolOutcome } from '../ports/sandbox.js';
import type { ToolRunner } from '../ports/tool-runner.js';
import { answerKey } from './append-keys.js';
import type { PendingToolUse } from './session-state.js';
import type { ToolCatalog } from './tool-catalog.js';

/** The result event that answers a tool use, in the variant its use asked for. */
export function resultEvent(pending: PendingToolUse, outcome: ToolOutcome): DraftEvent {
  const content =
    outcome.content.length > 0 ? outcome.content : [{ type: 'text' as const, text: '(no output)' }];
  const base = { content, is_error: outcome.isError };
  const threadId = pending.event.session_thread_id;
  const thread = threadId ? { session_thread_id: threadId } : {};
  switch (pending.event.type) {
    case 'agent.mcp_tool_use':
      return { type: 'agent.mcp_tool_result', mcp_tool_use_id: pending.event.id, ...base, ...thread };
    case 'agent.custom_tool_use':
      return { type: 'user.custom_tool_result', custom_tool_use_id: pending.event.id, ...base, ...thread };
    default:
      return { type: 'agent.tool_result', tool_use_id: pending.event.id, ...base, ...thread };
  }
}

/** A tool use has one result, whether it ran, was denied or was interrupted (append-keys.ts). */
export const resultKey = (pending: PendingToolUse): string => answerKey(pending.event.id, 'result');

export const errorOutcome = (message: string): ToolOutcome => ({
  content: [{ type: 'text', text: message }],
  isError: true,
});

/** Runs one allowed tool use and appends its result. Errors become error results, never crashes. */
export async function runToolStep(options: {
  session: HarnessSession;
  pending: PendingToolUse;
  catalog: ToolCatalog;
  tools: ToolRunner;
  log: HarnessLog;
  signal: AbortSignal;
}): Promise<{ isError: boolean }> {
  const { session, pending, catalog, tools, log, signal } = options;
  const event = pending.event;
  const entry = catalog.lookup(event.name);
  let outcome: ToolOutcome;
  let sessionError: DraftEvent | undefined;
  let buildFailure: DraftEvent | undefined;
  if (!entry) {
    outcome = errorOutcome(`tool ${JSON.stringify(event.name)} is not available to this agent`);
  } else {
    try {
      const threadId = event.session_thread_id ?? undefined;
      outcome = await tools.run({
        session,
        toolUseId: event.id,
        entry,
        input: event.input,
        signal,
        threadId,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      outcome = errorOutcome(
        `tool ${event.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      // Not the model's doing: the client is told too (the server's disk is nearly full).
      if (isPaddockError(error) && error.code === 'insufficient_storage')
        sessionError = {
          type: 'session.error',
          error: {
            type: 'unknown_error',
            message: error.message,
            retry_status: { type: 'exhausted' },
            error_code: 'insufficient_storage',
          },
        };
      // The environment's packages failed to build (environment-build-guard.ts): the client's to fix.
      if (isPaddockError(error) && error.errorCode === 'environment_build_failed')
        buildFailure = {
          type: 'session.error',
          error: {
            type: 'unknown_error',
            message: error.message,
            retry_status: { type: 'exhausted' },
            error_code: 'environment_build_failed',
          },
        };
    }
  }
  if (signal.aborted) throw signal.reason ?? new Error('aborted');
  // Told once per session (the key), however often the model tries again: the build is not rerun.
  if (buildFailure)
    await log.append(session.id, [buildFailure], answerKey(session.id, 'environment_build_failed'));
  const result = resultEvent(pending, outcome);
  await log.append(session.id, sessionError ? [sessionError, result] : [result], resultKey(pending));
  return { isError: outcome.isError };
}
