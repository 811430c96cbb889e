import type { HarnessLog } from '../ports/harness-log.js';
import { closeConsultation } from './advisor-consultation.js';
import { keyAt, prefixKeys } from './append-keys.js';
import { textOf } from './build-model-request.js';
import { type FoldCheckpoints, ViewEntries } from './fold-checkpoints.js';
import { type IdleGate, type RunDependencies, type RunOptions, runSession } from './run-session.js';
import { awaitingClient, foldSessionState, type LogEntry } from './session-state.js';
import type { ChildThread, ThreadDirectory } from './thread-directory.js';
import { endThreadIfDone } from './thread-end.js';
import { threadLog, threadSessions } from './thread-scope.js';
import { placeToolUses } from './tool-placement.js';

const PRIMARY = 'primary';

/** Where delegation finds the live scheduler of a session being driven. */
export class ThreadKicks {
  private readonly kicks = new Map<string, (threadId: string) => void>();
  private readonly interrupts = new Map<string, () => Promise<boolean>>();
  constructor(private readonly fallback: (sessionId: string) => void) {}

  /**
   * An interrupt signal for a session being driven here: resolves true when the
   * log's latest interrupt names one child thread and only that thread was
   * stopped; false means the caller stops the whole run (session-wide).
   */
  interruptThread(sessionId: string): Promise<boolean> {
    return this.interrupts.get(sessionId)?.() ?? Promise.resolve(false);
  }

  registerInterrupts(sessionId: string, handler: () => Promise<boolean>): () => void {
    this.interrupts.set(sessionId, handler);
    return () => this.interrupts.delete(sessionId);
  }

  kick(sessionId: string, threadId: string): void {
    const kick = this.kicks.get(sessionId);
    if (kick) kick(threadId);
    else this.fallback(sessionId);
  }

  register(sessionId: string, kick: (threadId: string) => void): () => void {
    this.kicks.set(sessionId, kick);
    return () => this.kicks.delete(sessionId);
  }
}

export interface ThreadRunDependencies extends RunDependencies {
  directory: ThreadDirectory;
  kicks: ThreadKicks;
}

/**
 * Drives every thread of a session: the primary one and its workers, in
 * parallel, each with the same stateless loop over its own view of the log.
 * A worker that finishes hands its reply to the coordinator, which starts a
 * new coordinator turn. Returns when no thread has anything left to do.
 */
export async function runThreads(deps: ThreadRunDependencies, options: RunOptions): Promise<void> {
  const { sessionId, signal } = options;
  const children = new Map<string, ChildThread>();
  for (const child of await deps.directory.children(sessionId)) children.set(child.id, child);
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  let failure: unknown;
  const started = new Set<string>();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  // Each child runs under its own signal too, so a per-thread interrupt stops it alone; a
  // stopped child runs again at once and its fold sees the interrupt (idle, reply to its parent).
  const stops = new Map<string, AbortController>();
  const childSignal = (key: string): AbortSignal => {
    const controller = new AbortController();
    stops.set(key, controller);
    return AbortSignal.any([signal, controller.signal]);
  };

  const childDeps = (child: ChildThread): RunDependencies => ({
    ...deps,
    threadId: child.id,
    log: threadLog(deps.log, child, deps.directory, deps.folds),
    sessions: threadSessions(deps.sessions, child, deps.directory),
  });

  // The coordinator reads only its own thread; usage and budgets still see the whole session.
  const primaryDeps: RunDependencies = {
    ...deps,
    log: {
      ...deps.log,
      read: async (id) => primaryView(await deps.log.read(id), id, deps.folds),
      readSession: (id) => deps.log.read(id),
    },
  };

  const idleGate = async (): Promise<IdleGate> => {
    if ([...running.keys()].some((key) => key !== PRIMARY)) return { type: 'wait' };
    const waiting: string[] = [];
    const session = await deps.sessions.load(sessionId);
    for (const child of children.values()) {
      const state = foldSessionState(await childDeps(child).log.read(sessionId));
      // Self-hosted placement makes a child's sandbox tools wait for the worker, like the primary's.
      waiting.push(...awaitingClient(session ? placeToolUses(state, session) : state));
    }
    return waiting.length > 0 ? { type: 'requires_action', event_ids: waiting } : { type: 'idle' };
  };

  const runOne = async (key: string): Promise<void> => {
    const recovering = options.recovering && !started.has(key);
    started.add(key);
    if (key === PRIMARY) {
      await runSession(primaryDeps, { sessionId, signal, recovering, idleGate });
      return;
    }
    let child = children.get(key);
    if (!child) {
      for (const fresh of await deps.directory.children(sessionId)) children.set(fresh.id, fresh);
      child = children.get(key);
    }
    if (!child || child.status === 'terminated') return;
    if (child.agent.type === 'advisor' && (await isConsultation(deps, sessionId))) {
      // Nothing to run; one cut short by a crash is closed so it does not show as running.
      await closeConsultation(deps, sessionId, child);
      return;
    }
    const ownSignal = childSignal(key);
    const stoppedAlone = () => ownSignal.aborted && !signal.aborted;
    try {
      await runSession(childDeps(child), { sessionId, signal: ownSignal, recovering });
    } catch (error) {
      // A step cut by this thread's own interrupt throws its reason: not a failure of the session.
      if (!stoppedAlone()) throw error;
    }
    if (stoppedAlone()) {
      again.add(key);
      return;
    }
    await endThreadIfDone(deps.tools, childDeps(child).log, sessionId, child.id);
    // A workflow run's thread reports to its run, not to the primary thread.
    if (child.workflowRunId !== null) return;
    if (await reportReply(deps.log, deps.directory, sessionId, childDeps(child).log, child)) start(PRIMARY);
  };

  const start = (key: string): void => {
    if (signal.aborted) return;
    if (running.has(key)) {
      again.add(key);
      return;
    }
    const run = runOne(key)
      .catch((error: unknown) => {
        if (!signal.aborted) failure ??= error;
      })
      .finally(() => {
        running.delete(key);
        // A worker's end may let the coordinator go idle, or hand it a reply.
        if (key !== PRIMARY) again.add(PRIMARY);
        const pending = [...again];
        again.clear();
        for (const next of pending) start(next);
        if (running.size === 0) finish();
      });
    running.set(key, run);
  };

  const unregister = deps.kicks.register(sessionId, (threadId) => start(threadId));
  const unregisterInterrupts = deps.kicks.registerInterrupts(sessionId, async () => {
    const latest = (await deps.log.read(sessionId)).findLast(
      (entry) => entry.event.type === 'user.interrupt',
    );
    const threadId = latest?.event.session_thread_id;
    if (!threadId || !children.has(threadId)) return false;
    stops.get(threadId)?.abort(new Error('thread interrupted by the user'));
    // Not running now: start it, so its fold sees the interrupt.
    if (!running.has(threadId)) start(threadId);
    return true;
  });
  try {
    start(PRIMARY);
    for (const child of children.values()) start(child.id);
    await finished;
  } finally {
    unregister();
    unregisterInterrupts();
  }
  // The caller turns a failure into session.error + idle, so no session is left running.
  if (failure !== undefined) throw failure;
}

/** The primary thread's entries of the whole log, kept between reads when there are checkpoints. */
function primaryView(all: LogEntry[], sessionId: string, folds: FoldCheckpoints | undefined): LogEntry[] {
  const own = (entry: LogEntry) => (entry.event.session_thread_id ? undefined : entry);
  if (!folds) return all.filter((entry) => own(entry));
  return folds.advance(sessionId, 'view:primary', all, () => new ViewEntries(own)).entries.slice();
}

/**
 * A `multiagent_20261001` advisor thread holds one consultation, made inside
 * the primary thread's tool call (advisor-consultation.ts): the loop has
 * nothing to run there. A coordinator roster's advisor entry is a worker.
 */
async function isConsultation(deps: RunDependencies, sessionId: string): Promise<boolean> {
  const session = await deps.sessions.load(sessionId);
  return (session?.agent.multiagent as { type?: string } | null)?.type === 'multiagent_20261001';
}

/**
 * When a worker's turn ends, its last message goes to the coordinator:
 * `agent.thread_message_sent` on the worker's stream and
 * `agent.thread_message_received` on the primary, in one append.
 */
async function reportReply(
  log: HarnessLog,
  directory: ThreadDirectory,
  sessionId: string,
  childLog: HarnessLog,
  child: ChildThread,
): Promise<boolean> {
  const events = await childLog.read(sessionId);
  const state = foldSessionState(events);
  const idle = state.lastIdle;
  if (state.status !== 'idle' || !idle || idle.stopReason.type === 'requires_action') return false;
  if (events.some((entry) => entry.seq > idle.seq && entry.event.type === 'agent.thread_message_sent'))
    return false;
  let reply = '';
  for (const { event } of events) {
    if (event.type === 'agent.thread_message_received') reply = '';
    if (event.type === 'agent.message') reply = textOf(event.content);
  }
  if (idle.stopReason.type !== 'end_turn')
    reply = `[${child.agentName} stopped: ${idle.stopReason.type}] ${reply}`.trim();
  const content = [{ type: 'text' as const, text: reply || '(no reply)' }];
  const primaryId = (await directory.primaryId(sessionId)) ?? sessionId;
  await log.append(
    sessionId,
    [
      {
        type: 'agent.thread_message_sent',
        to_session_thread_id: primaryId,
        to_agent_name: null,
        content,
        session_thread_id: child.id,
      },
      {
        type: 'agent.thread_message_received',
        from_session_thread_id: child.id,
        from_agent_name: child.agentName,
        content,
      },
    ],
    prefixKeys(keyAt(`@${idle.seq}`, 'thread_reply'), child.id),
  );
  return true;
}
