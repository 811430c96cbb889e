import type { DraftEvent, SessionEvent } from '../events/session-event.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { HarnessSession, HarnessSessions } from '../ports/harness-sessions.js';
import type { AgentSnapshot } from './agent-snapshot.js';
import { prefixKeys } from './append-keys.js';
import { type FoldCheckpoints, ViewEntries } from './fold-checkpoints.js';
import type { LogEntry } from './session-state.js';
import type { ChildThread, ThreadDirectory } from './thread-directory.js';

const TO_THREAD_STATUS: Record<string, string> = {
  'session.status_running': 'session.thread_status_running',
  'session.status_idle': 'session.thread_status_idle',
  'session.status_rescheduled': 'session.thread_status_rescheduled',
  'session.status_terminated': 'session.thread_status_terminated',
};
const FROM_THREAD_STATUS = Object.fromEntries(
  Object.entries(TO_THREAD_STATUS).map(([from, to]) => [to, from]),
);
const THREAD_STATUS_VALUE: Record<string, 'running' | 'idle' | 'rescheduling' | 'terminated'> = {
  'session.thread_status_running': 'running',
  'session.thread_status_idle': 'idle',
  'session.thread_status_rescheduled': 'rescheduling',
  'session.thread_status_terminated': 'terminated',
};

/**
 * A child thread is run by the same loop as the primary one, through a view
 * of the log: it reads only its own events (plus session-wide interrupts),
 * with its `session.thread_status_*` events seen as `session.status_*`, and
 * everything it appends is tagged with its thread id and mapped back.
 */
export function threadLog(
  log: HarnessLog,
  thread: ChildThread,
  directory: ThreadDirectory,
  /** Keeps the view between reads, so a read maps only what was appended since. */
  folds?: FoldCheckpoints | undefined,
): HarnessLog {
  const select = (entry: LogEntry) => threadEntry(entry, thread.id);
  return {
    async read(sessionId) {
      const all = await log.read(sessionId);
      if (folds)
        return folds
          .advance(sessionId, `view:${thread.id}`, all, () => new ViewEntries(select))
          .entries.slice();
      const own: LogEntry[] = [];
      for (const entry of all) {
        const kept = select(entry);
        if (kept) own.push(kept);
      }
      return own;
    },
    async append(sessionId, drafts, keys) {
      const tagged = drafts.map((draft) => tagDraft(draft, thread));
      const stored = await log.append(sessionId, tagged, prefixKeys(keys, thread.id));
      for (const event of stored) {
        const status = THREAD_STATUS_VALUE[event.type];
        if (status) await directory.setStatus(thread.id, status);
      }
      return stored;
    },
    // Usage and budgets are the whole session's, every thread included.
    readSession: (sessionId) => log.readSession?.(sessionId) ?? log.read(sessionId),
    // Previews carry only an event id on the wire; the tag lets streams scope them by thread.
    preview: (sessionId, payload) => log.preview?.(sessionId, tagPreview(payload, thread)),
    newEventId: log.newEventId,
  };
}

/** The entry as the thread sees it, or undefined when it is not the thread's. */
function threadEntry(entry: LogEntry, threadId: string): LogEntry | undefined {
  const event = entry.event;
  const mine = event.session_thread_id === threadId;
  const sessionWideInterrupt = event.type === 'user.interrupt' && !event.session_thread_id;
  if (!mine && !sessionWideInterrupt) return undefined;
  // Creation is the parent's record of the thread, not a status change of the thread itself.
  if (event.type === 'session.thread_created') return undefined;
  const mapped = FROM_THREAD_STATUS[event.type];
  return mapped ? { seq: entry.seq, event: { ...event, type: mapped } as SessionEvent } : entry;
}

function tagPreview(payload: Record<string, unknown>, thread: ChildThread): Record<string, unknown> {
  if (payload.type !== 'event_start') return payload;
  return { ...payload, event: { ...(payload.event as object), session_thread_id: thread.id } };
}

function tagDraft(draft: DraftEvent, thread: ChildThread): DraftEvent {
  const statusType = TO_THREAD_STATUS[(draft as { type: string }).type];
  if (statusType) {
    return {
      ...draft,
      type: statusType,
      session_thread_id: thread.id,
      agent_name: thread.agentName,
    } as DraftEvent;
  }
  // Usage snapshots are the session's; a thread's usage is folded from its spans.
  return { ...draft, session_thread_id: thread.id } as DraftEvent;
}

/** The thread's agent stands in for the session's, and thread usage is not the session's projection. */
export function threadSessions(
  sessions: HarnessSessions,
  thread: ChildThread,
  directory: ThreadDirectory,
): HarnessSessions {
  return {
    async load(sessionId): Promise<HarnessSession | undefined> {
      const session = await sessions.load(sessionId);
      if (!session) return undefined;
      const own = threadAgentSnapshot(thread);
      // A self-hosted worker downloads only the primary agent's skills (the SDK's setupSkills), so a
      // thread is told only of those of its skills that are there.
      const present =
        session.environmentType === 'self_hosted'
          ? own.skills.filter((skill) =>
              session.agent.skills.some((p) => p.skill_id === skill.skill_id && p.version === skill.version),
            )
          : own.skills;
      const agent = sessions.announceSkills
        ? await sessions.announceSkills(own, present, session.environmentType)
        : own;
      return { ...session, agent };
    },
    listUnfinished: () => sessions.listUnfinished(),
    async saveUsage(_sessionId, usage, stats) {
      await directory.saveUsage(thread.id, usage, stats);
    },
  };
}

function threadAgentSnapshot(thread: ChildThread): AgentSnapshot {
  const agent = thread.agent;
  if (agent.type === 'advisor') {
    return {
      id: 'anthropic.advisor',
      name: 'anthropic.advisor',
      version: 1,
      model: { id: agent.model },
      system: 'You are an advisor. Give concise, well-reasoned advice on the question you are sent.',
      tools: [],
      mcp_servers: [],
      skills: [],
      multiagent: null,
    };
  }
  // An inline agent has no Agent resource: its thread stands in for the id.
  if (agent.type === 'inline') return { ...agent, id: thread.id, version: 1, multiagent: null };
  return { ...agent, multiagent: null };
}
