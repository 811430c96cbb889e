import { toTimestamp } from '../clock.js';
import type { DraftEvent, WorkflowRunResult } from '../events/session-event.js';
import type { LogEntry } from '../harness/session-state.js';
import { formatUsd, type Money, monetaryAmount } from '../metering/money.js';
import type { WorkflowDriverDeps } from './workflow-driver.js';
import { updateWorkflowRun, type WorkflowRunDoc } from './workflow-run.js';
import { threadWaitsOnClient } from './workflow-status.js';
import { threadSettled } from './workflow-threads.js';

// How a run ends: its unfinished threads stopped, its open phases closed, its last events, the
// row, and the notice to the primary thread.

export async function finishWorkflowRun(
  deps: WorkflowDriverDeps,
  run: WorkflowRunDoc,
  ending: { result: WorkflowRunResult; output?: unknown; archived?: boolean },
  open: Map<string, { phaseId: string; startedId: string }>,
  entries: LogEntry[],
  spent: Money | null,
  key: (what: string) => string,
): Promise<void> {
  const sessionId = run.session_id;
  const latest = await deps.log.read(sessionId).catch(() => entries);
  // Threads at work, and threads waiting on the client (a stopped run's thread waits on no one).
  const unsettled = Object.values(run.threads).filter(
    (threadId) => !threadSettled(latest, threadId) || threadWaitsOnClient(latest, threadId),
  );
  for (const threadId of unsettled) {
    await deps.log.append(
      sessionId,
      [{ type: 'user.interrupt', session_thread_id: threadId } as DraftEvent],
      key(`stop/${threadId}`),
    );
    await deps.archiveThread(sessionId, threadId);
  }
  if (unsettled.length > 0) deps.interrupt(sessionId);
  const drafts: DraftEvent[] = openPhases(latest, run.id, open).map((phase) => phaseEnded(run.id, phase));
  if (ending.result.type === 'error')
    drafts.push({ type: 'workflow_run.error', workflow_run_id: run.id, error: ending.result.error });
  drafts.push({ type: 'workflow_run.status_ended', workflow_run_id: run.id, result: ending.result });
  await deps.log.append(sessionId, drafts, key('end'));
  const ended = (doc: WorkflowRunDoc) => {
    doc.status = 'ended';
    doc.result = ending.result;
    doc.output = ending.output ?? null;
    doc.ended_at = toTimestamp(deps.clock.now());
    doc.list_cost = spent === null ? null : monetaryAmount(spent);
  };
  ended(run);
  await updateWorkflowRun(deps.store, run.id, (doc) => {
    ended(doc);
    return true;
  });
  if (ending.archived) return;
  const spentText = spent === null ? 'unknown (a model has no list price)' : `$${formatUsd(spent)}`;
  const how =
    ending.result.type === 'error'
      ? `error (${ending.result.error.type}: ${ending.result.error.message})`
      : ending.result.type;
  const output =
    ending.result.type === 'completed' ? `\nOutput: ${JSON.stringify(run.output)}`.slice(0, 20_000) : '';
  const notice: DraftEvent = {
    type: 'system.message',
    content: [
      {
        type: 'text',
        text: `Workflow run ${run.id} (${run.name}) ended: ${how}. Spent: ${spentText}.${output}`,
      },
    ],
  };
  // Once: a notice that lands while the primary thread's turn is ending stays queued (the fold
  // flushes on idle only what the turn could have seen) and starts its next turn.
  await deps.log.append(sessionId, [notice], key('notice'));
  deps.notify(sessionId);
}

/**
 * Every phase of the run started and not ended: this driver's, and those a driver before it
 * (crashed, or stopped) opened that this one's program did not enter again before the end.
 */
function openPhases(
  entries: readonly LogEntry[],
  runId: string,
  open: Map<string, { phaseId: string; startedId: string }>,
): Array<{ phaseId: string; startedId: string }> {
  const started = new Map<string, { phaseId: string; startedId: string }>();
  for (const phase of open.values()) started.set(phase.startedId, phase);
  for (const { event } of entries) {
    if (event.type === 'workflow_run.phase_started' && event.workflow_run_id === runId)
      started.set(event.id, { phaseId: event.workflow_run_phase_id, startedId: event.id });
    else if (event.type === 'workflow_run.phase_ended' && event.workflow_run_id === runId)
      started.delete(event.phase_started_id);
  }
  return [...started.values()];
}

export function phaseEnded(runId: string, phase: { phaseId: string; startedId: string }): DraftEvent {
  return {
    type: 'workflow_run.phase_ended',
    workflow_run_id: runId,
    workflow_run_phase_id: phase.phaseId,
    phase_started_id: phase.startedId,
  };
}

export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
