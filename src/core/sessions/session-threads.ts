import type { Session, SessionThread } from '../domain/session.js';
import type { ResourceRecord, Store } from '../ports/store.js';

/** A session's thread records, the primary first (creation order). */
export async function threadRecords(
  store: Store,
  sessionId: string,
): Promise<ResourceRecord<SessionThread>[]> {
  const page = await store.resources.list<SessionThread>({
    kind: 'thread',
    parentId: sessionId,
    order: 'asc',
    limit: 1000,
    includeArchived: true,
  });
  return page.items;
}

/** Threads of a session, the primary first. The primary's status, usage and stats are the session's. */
export async function sessionThreads(store: Store, session: Session): Promise<SessionThread[]> {
  const threads = (await threadRecords(store, session.id)).map((record) => record.doc);
  return threads.map((thread) =>
    thread.parent_thread_id === null
      ? { ...thread, status: session.status, usage: session.usage, stats: session.stats }
      : thread,
  );
}
