import type { DraftEvent } from '../events/session-event.js';
import type { LogEntry } from '../harness/session-state.js';

// A run's idle/running state (workflow_run.status_idle / status_running), as the SDK defines it:
// idle is emitted each time the run goes idle, running each time it resumes after being idle.

/** True when the thread's last status is idle waiting on the client (a confirmation, a custom tool result). */
export function threadWaitsOnClient(entries: readonly LogEntry[], threadId: string): boolean {
  let waiting = false;
  for (const { event } of entries) {
    if (event.session_thread_id !== threadId) continue;
    if (event.type === 'session.thread_status_idle') waiting = event.stop_reason.type === 'requires_action';
    else if (
      event.type === 'session.thread_status_running' ||
      event.type === 'session.thread_status_terminated' ||
      event.type === 'agent.thread_message_received' ||
      // The client answered: the thread resumes (its status_running may come a moment later).
      event.type === 'user.custom_tool_result' ||
      event.type === 'user.tool_confirmation'
    )
      waiting = false;
  }
  return waiting;
}

/**
 * A run is idle when nothing of it can move without the client: the program is waiting on
 * `agent()` calls only, and every one of those threads is idle waiting on the client. A program
 * that is computing, or any of its threads at work, makes it running.
 */
export function runIsIdle(entries: readonly LogEntry[], waitingOn: readonly string[]): boolean {
  return waitingOn.length > 0 && waitingOn.every((threadId) => threadWaitsOnClient(entries, threadId));
}

/**
 * The status event the run owes, if its state changed: read from the log (the run's last
 * status_idle / status_running), so a resumed driver carries on where the last one stopped. Its
 * key counts the run's idles, so a retried append returns the stored event.
 */
export function runStatusChange(
  entries: readonly LogEntry[],
  runId: string,
  idle: boolean,
): { draft: DraftEvent; key: string } | undefined {
  let idles = 0;
  let current: 'running' | 'idle' = 'running';
  for (const { event } of entries) {
    if (event.type === 'workflow_run.status_idle' && event.workflow_run_id === runId) {
      idles += 1;
      current = 'idle';
    } else if (event.type === 'workflow_run.status_running' && event.workflow_run_id === runId)
      current = 'running';
  }
  if (idle && current === 'running')
    return {
      draft: { type: 'workflow_run.status_idle', workflow_run_id: runId },
      key: `idle/${idles + 1}`,
    };
  if (!idle && current === 'idle')
    return {
      draft: { type: 'workflow_run.status_running', workflow_run_id: runId },
      key: `running/${idles}`,
    };
  return undefined;
}
