import type { Clock } from '../clock.js';
import type { DraftEvent, WorkflowRunError, WorkflowRunResult } from '../events/session-event.js';
import type { LogEntry } from '../harness/session-state.js';
import type { ThreadDirectory } from '../harness/thread-directory.js';
import { budgetExceeded } from '../metering/budget.js';
import { formatUsd, type Money } from '../metering/money.js';
import type { PriceTable } from '../metering/prices.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { HarnessSession, HarnessSessions } from '../ports/harness-sessions.js';
import type { Store } from '../ports/store.js';
import type { ProgramRequest, WorkflowProgramRunner } from '../ports/workflow-program.js';
import { finishWorkflowRun, pause, phaseEnded } from './workflow-end.js';
import { updateWorkflowRun, type WorkflowLimits, type WorkflowRunDoc } from './workflow-run.js';
import { runIsIdle, runStatusChange } from './workflow-status.js';
import { resolveRunAgent, runCost, threadReply } from './workflow-threads.js';
import { usd } from './workflow-tools.js';

export interface WorkflowDriverDeps {
  store: Store;
  clock: Clock;
  log: HarnessLog;
  directory: ThreadDirectory;
  sessions: HarnessSessions;
  programs: WorkflowProgramRunner;
  prices: PriceTable;
  limits: WorkflowLimits;
  /** Starts a thread's turn (in the session's current wake, or wakes the session). */
  kick(sessionId: string, threadId: string): void;
  /** Wakes the session (the primary thread has a notice to read). */
  notify(sessionId: string): void;
  /** Aborts the session's running steps (threads the run stopped must not go on). */
  interrupt(sessionId: string): void;
  /** Terminates a thread (archive-thread.ts). */
  archiveThread(sessionId: string, threadId: string): Promise<void>;
}

type Waiter = {
  threadId: string;
  messageId: string;
  resolve(text: string): void;
  reject(error: Error): void;
};

/**
 * Executes one run of a workflow until it ends, or until `signal` (lost lease, server stop)
 * leaves it to the next node. Resuming is re-running: the program starts again from the top,
 * and every call it makes that the journal already answered is answered the same way (the same
 * thread, whose reply is in the log; the same phase events, keyed by call number), so no
 * thread's work is done twice. A stop the agent asked for is read from the run's row at every poll.
 */
export async function driveWorkflowRun(
  deps: WorkflowDriverDeps,
  runId: string,
  signal: AbortSignal,
): Promise<void> {
  const record = await deps.store.resources.get<WorkflowRunDoc>('workflow_run', runId);
  if (record?.doc.status !== 'running') return;
  const run = record.doc;
  const sessionId = run.session_id;
  const { log, limits } = deps;
  const key = (what: string) => `workflow/${runId}/${what}`;
  await log.append(
    sessionId,
    [{ type: 'workflow_run.status_running', workflow_run_id: runId }],
    key('running'),
  );

  const program = new AbortController();
  const onAbort = () => program.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let ending: { result: WorkflowRunResult; output?: unknown; archived?: boolean } | undefined;
  const end = (result: WorkflowRunResult, extra: { output?: unknown; archived?: boolean } = {}) => {
    ending ??= { result, ...extra };
    program.abort();
  };
  const fail = (type: WorkflowRunError['type'], message: string) =>
    end({ type: 'error', error: { type, message } });
  const open = new Map<string, { phaseId: string; startedId: string }>();
  const waiters = new Set<Waiter>();
  let threadsReserved = Object.keys(run.threads).length;
  let saving = Promise.resolve();
  // The same change on this driver's copy and, under a row lock, on the row (a stop written by
  // another node meanwhile is kept).
  const save = (change: (doc: WorkflowRunDoc) => void) => {
    saving = saving.then(async () => {
      change(run);
      await updateWorkflowRun(deps.store, runId, (doc) => {
        change(doc);
        return true;
      });
    });
    return saving;
  };
  let session: HarnessSession | undefined;
  let entries: LogEntry[] = [];
  let spent: Money | null = 0n;
  const readAll = async () => (log.readSession ? log.readSession(sessionId) : log.read(sessionId));

  const answer = async (request: ProgramRequest): Promise<unknown> => {
    if (ending) throw new Error('the run is ending');
    const at = key(`call/${request.call}`);
    switch (request.op) {
      case 'phase_start': {
        const phase = run.phases.find((candidate) => candidate.name === request.phase);
        if (!phase) throw new Error(`phase ${JSON.stringify(request.phase)} is not one of the run's phases`);
        const [started] = await log.append(
          sessionId,
          [{ type: 'workflow_run.phase_started', workflow_run_id: runId, workflow_run_phase_id: phase.id }],
          at,
        );
        if (started) open.set(phase.name, { phaseId: phase.id, startedId: started.id });
        return null;
      }
      case 'phase_end': {
        const phase = open.get(request.phase);
        if (!phase) return null;
        open.delete(request.phase);
        await log.append(sessionId, [phaseEnded(runId, phase)], at);
        return null;
      }
      case 'log':
        if (!run.logs.some((entry) => entry.call === request.call))
          await save((doc) => {
            doc.logs = [...doc.logs, { call: request.call, message: request.message.slice(0, 2000) }].slice(
              -200,
            );
          });
        return null;
      case 'budget': {
        const max = usd(run.max_spend_usd);
        return {
          max_spend_usd: run.max_spend_usd,
          spent_usd: spent === null ? null : formatUsd(spent),
          remaining_usd: spent === null ? null : formatUsd(max > spent ? max - spent : 0n),
          threads_used: Object.keys(run.threads).length,
          max_threads: limits.maxThreadsPerRun,
          elapsed_ms: deps.clock.now() - Date.parse(run.created_at),
          max_wall_ms: limits.maxWallMs,
        };
      }
      case 'agent':
        return spawnAgent(request);
    }
  };

  const spawnAgent = async (request: Extract<ProgramRequest, { op: 'agent' }>): Promise<string> => {
    const call = String(request.call);
    const reserveThread = () => {
      if (threadsReserved >= limits.maxThreadsPerRun) {
        fail('thread_limit_error', `the run tried to create more than ${limits.maxThreadsPerRun} threads`);
        throw new Error('thread limit reached');
      }
      threadsReserved += 1;
    };
    let threadId = run.threads[call];
    // Counted before any await: calls made together (Promise.all) must not all pass the check, and
    // the one over the limit is the last the program made, not whichever database read ends last.
    if (!threadId) reserveThread();
    const primaryId = (await deps.directory.primaryId(sessionId)) ?? sessionId;
    let child = threadId
      ? (await deps.directory.children(sessionId)).find((thread) => thread.id === threadId)
      : undefined;
    if (!child) {
      // A journalled thread that is gone is made again, and counted again as before.
      if (threadId) reserveThread();
      if (!session) throw new Error('the session is gone');
      child = await deps.directory.create(
        sessionId,
        primaryId,
        resolveRunAgent(session, request.agent),
        runId,
      );
      threadId = child.id;
      await save((doc) => {
        doc.threads = { ...doc.threads, [call]: child!.id };
      });
    }
    // Keyed: after a crash these return the stored events instead of appending again.
    await log.append(
      sessionId,
      [
        {
          type: 'session.thread_created',
          session_thread_id: child.id,
          agent_name: child.agentName,
          workflow_run_id: runId,
        },
      ],
      key(`call/${call}/thread`),
    );
    const [message] = await log.append(
      sessionId,
      [
        {
          type: 'agent.thread_message_received',
          from_session_thread_id: primaryId,
          from_agent_name: run.name,
          content: [{ type: 'text', text: request.prompt }],
          session_thread_id: child.id,
        } as DraftEvent,
      ],
      key(`call/${call}/message`),
    );
    const threadIdNow = child.id;
    const reply = new Promise<string>((resolve, reject) => {
      waiters.add({ threadId: threadIdNow, messageId: message?.id ?? '', resolve, reject });
    });
    deps.kick(sessionId, threadIdNow);
    return reply;
  };

  // Watches the threads' replies and the run's limits while the program runs.
  const watch = async () => {
    while (!program.signal.aborted) {
      try {
        session = await deps.sessions.load(sessionId);
        const row = await deps.store.resources.get<WorkflowRunDoc>('workflow_run', runId);
        entries = await readAll();
        const events = entries.map((entry) => entry.event);
        const now = deps.clock.now();
        if (!session || session.archived) end({ type: 'stopped' }, { archived: true });
        else if (row?.doc.stop_requested_at) end({ type: 'stopped' });
        else if (now - Date.parse(run.created_at) >= limits.maxWallMs)
          fail('timeout_error', `the run reached its time limit of ${limits.maxWallMs} ms`);
        spent = runCost(
          events,
          new Set(Object.values(run.threads)),
          now,
          deps.prices,
          session?.agent.model.id ?? '',
        );
        if (spent !== null && spent >= usd(run.max_spend_usd))
          fail('unknown_error', `the run reached its spend limit of $${run.max_spend_usd}`);
        if (session?.budget && budgetExceeded(session, events, now, deps.prices))
          fail('unknown_error', 'the session reached its budget');
        for (const waiter of [...waiters]) {
          const reply = threadReply(entries, waiter.threadId, waiter.messageId);
          if (reply.type === 'pending') continue;
          waiters.delete(waiter);
          if (reply.type === 'replied') waiter.resolve(reply.text);
          else waiter.reject(new Error(`thread ${waiter.threadId} was terminated before it replied`));
        }
        const waitingOn = [...waiters].map((waiter) => waiter.threadId);
        const change = ending ? undefined : runStatusChange(entries, runId, runIsIdle(entries, waitingOn));
        if (change) await log.append(sessionId, [change.draft], key(change.key));
      } catch {
        // A failed read is retried at the next poll; the program waits meanwhile.
      }
      await pause(limits.pollMs, program.signal);
    }
  };

  session = await deps.sessions.load(sessionId);
  const watching = watch();
  const outcome = await deps.programs.run({
    source: run.program,
    input: run.input,
    answer,
    signal: program.signal,
  });
  program.abort();
  await watching;
  await saving;
  signal.removeEventListener('abort', onAbort);
  if (!ending) {
    if (outcome.type === 'returned') end({ type: 'completed' }, { output: outcome.value });
    else if (outcome.type === 'failed') {
      await save((doc) => {
        doc.logs = [...doc.logs, { call: -1, message: `program failed: ${outcome.message}` }].slice(-200);
      });
      fail('program_error', 'the program threw an error or broke the protocol (see check_workflow_run)');
    } else return; // Lost lease or server stop: the run resumes elsewhere.
  }
  await finishWorkflowRun(deps, run, ending!, open, entries, spent, key);
}
