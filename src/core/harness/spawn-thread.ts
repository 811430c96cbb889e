import type { SessionThread } from '../domain/session.js';
import type { HarnessLog } from '../ports/harness-log.js';
import { answerKey } from './append-keys.js';
import { textOf } from './build-model-request.js';
import { foldSessionState } from './session-state.js';
import type { ChildThread, ThreadDirectory } from './thread-directory.js';
import { threadLog } from './thread-scope.js';

export interface SpawnDependencies {
  log: HarnessLog;
  directory: ThreadDirectory;
  /** Starts the thread's run inside the session's current wake (or wakes the session). */
  kick: (sessionId: string, threadId: string) => void;
}

export interface SpawnRequest {
  sessionId: string;
  parentThreadId: string;
  /** Who runs in the thread: a predefined agent's definition or an inline agent. */
  agent: SessionThread['agent'];
  /** The task, delivered as the thread's first message. */
  message: string;
  /** The name the message is from (the spawning agent's). */
  fromAgentName: string;
  /** What the spawn answers (a tool use id, a workflow step id): keys its appends, so a replay appends nothing twice. */
  cause: string;
  workflowRunId?: string | null;
}

/**
 * Spawns a session thread running `agent` with `message` as its task: the
 * thread's row, `session.thread_created` on the parent's stream, and the
 * message as one append (`agent.thread_message_sent` + `..._received`). The
 * thread runs in parallel with its parent, in the session's sandbox, by the
 * same loop as every thread (run-threads.ts). Used by `spawn_agent`; a
 * workflow runner calls it too, then `awaitThreadReply`.
 */
export async function spawnThread(deps: SpawnDependencies, request: SpawnRequest): Promise<ChildThread> {
  const { sessionId } = request;
  const thread = await deps.directory.create(
    sessionId,
    request.parentThreadId,
    request.agent,
    request.workflowRunId ?? null,
  );
  const content = [{ type: 'text' as const, text: request.message }];
  await deps.log.append(
    sessionId,
    [
      {
        type: 'session.thread_created',
        session_thread_id: thread.id,
        agent_name: thread.agentName,
        workflow_run_id: request.workflowRunId ?? null,
      },
      {
        type: 'agent.thread_message_sent',
        to_session_thread_id: thread.id,
        to_agent_name: thread.agentName,
        content,
      },
      {
        type: 'agent.thread_message_received',
        from_session_thread_id: request.parentThreadId,
        from_agent_name: request.fromAgentName,
        content,
        session_thread_id: thread.id,
      },
    ],
    [
      answerKey(request.cause, 'session.thread_created'),
      answerKey(request.cause, 'thread_message_sent'),
      answerKey(request.cause, 'thread_message_received'),
    ],
  );
  deps.kick(sessionId, thread.id);
  return thread;
}

export type ThreadReply =
  | { status: 'done'; text: string; stopReason: string }
  | { status: 'waiting'; eventIds: string[] };

/**
 * What a thread has to say once its turn ended: its last message (and how the
 * turn ended), or the ids it waits on (client tool results, confirmations).
 * Undefined while it still runs. Pure: a fold of the thread's view of the log.
 */
export async function threadReply(
  log: HarnessLog,
  directory: ThreadDirectory,
  sessionId: string,
  thread: ChildThread,
): Promise<ThreadReply | undefined> {
  const events = await threadLog(log, thread, directory).read(sessionId);
  const state = foldSessionState(events);
  const idle = state.lastIdle;
  if (state.status !== 'idle' || !idle) return undefined;
  if (idle.stopReason.type === 'requires_action')
    return { status: 'waiting', eventIds: idle.stopReason.event_ids };
  let text = '';
  for (const { event } of events) {
    if (event.type === 'agent.thread_message_received') text = '';
    if (event.type === 'agent.message') text = textOf(event.content);
  }
  return { status: 'done', text, stopReason: idle.stopReason.type };
}

/**
 * Waits for a spawned thread's reply, reading the log (the source of truth)
 * until its turn ends: so a caller that restarts after a crash awaits the
 * same thread again instead of spawning a second one.
 */
export async function awaitThreadReply(
  deps: Pick<SpawnDependencies, 'log' | 'directory'>,
  sessionId: string,
  thread: ChildThread,
  options: { signal: AbortSignal; pollMs?: number },
): Promise<ThreadReply> {
  const pollMs = options.pollMs ?? 250;
  for (;;) {
    options.signal.throwIfAborted();
    const reply = await threadReply(deps.log, deps.directory, sessionId, thread);
    if (reply) return reply;
    await new Promise<void>((resolve) => {
      const stop = () => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', stop);
        resolve();
      };
      const timer = setTimeout(stop, pollMs);
      options.signal.addEventListener('abort', stop, { once: true });
    });
  }
}
