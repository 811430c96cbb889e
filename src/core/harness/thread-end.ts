import type { HarnessLog } from '../ports/harness-log.js';
import type { ToolRunner } from '../ports/tool-runner.js';
import { foldSessionState } from './session-state.js';

/**
 * A child thread whose turn is over (idle, not waiting on the client) or that
 * was archived gives back what it held in the sandbox: its own shell. Files
 * stay; a later turn of the thread starts a fresh shell. The primary thread
 * keeps its shell across turns, as the session's sandbox does.
 */
export async function endThreadIfDone(
  tools: ToolRunner,
  threadLog: HarnessLog,
  sessionId: string,
  threadId: string,
): Promise<void> {
  if (!tools.endThread) return;
  const state = foldSessionState(await threadLog.read(sessionId));
  const waitingOnClient = state.lastIdle?.stopReason.type === 'requires_action';
  if (state.status === 'terminated' || (state.status === 'idle' && !waitingOnClient))
    await tools.endThread(sessionId, threadId);
}
