import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { agentNameOf, type SessionThread } from '../domain/session.js';
import { invalidRequest, notFound } from '../errors.js';
import type { Store } from '../ports/store.js';
import type { EventLog } from './event-log.js';

/**
 * Archiving a child thread terminates it: it accepts no more input and its
 * stream ends with `session.thread_status_terminated`. The primary thread is
 * the session itself; archive the session instead.
 */
export async function archiveThread(
  deps: { store: Store; log: EventLog; clock: Clock },
  sessionId: string,
  threadId: string,
): Promise<SessionThread> {
  const record = await deps.store.resources.get<SessionThread>('thread', threadId);
  if (!record || record.doc.session_id !== sessionId)
    throw notFound('Thread', threadId, 'session_thread_not_found');
  const thread = record.doc;
  if (thread.parent_thread_id === null) {
    throw invalidRequest('the primary thread cannot be archived on its own; archive the session instead');
  }
  if (thread.archived_at) return thread;
  const now = toTimestamp(deps.clock.now());
  const archived: SessionThread = { ...thread, status: 'terminated', archived_at: now, updated_at: now };
  await deps.store.resources.update({
    ...record,
    status: 'terminated',
    archivedAt: now,
    updatedAt: now,
    doc: archived,
  });
  const agentName = agentNameOf(thread.agent);
  await deps.log.append(sessionId, [
    { type: 'session.thread_status_terminated', session_thread_id: threadId, agent_name: agentName },
  ]);
  return archived;
}
