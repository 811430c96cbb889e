import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import {
  agentNameOf,
  newSessionThread,
  type SessionStatus,
  type SessionThread,
  type ThreadAgent,
} from '../domain/session.js';
import type { IdGenerator } from '../ids.js';
import type { ResourceRecord, Store } from '../ports/store.js';

/** A child thread as the harness sees it: who runs in it, under which roster name. */
export interface ChildThread {
  id: string;
  sessionId: string;
  agentName: string;
  agent: SessionThread['agent'];
  status: SessionStatus;
  /** The workflow run that created the thread (its reply goes to the run, not the primary thread). */
  workflowRunId: string | null;
}

/** The most child threads one session may hold (spec: at most 25 concurrent threads). */
export const MAX_CHILD_THREADS = 25;

/** Child threads live in the resources table under their session, like the primary one. */
export class ThreadDirectory {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async children(sessionId: string): Promise<ChildThread[]> {
    const page = await this.store.resources.list<SessionThread>({
      kind: 'thread',
      parentId: sessionId,
      order: 'asc',
      limit: 1000,
    });
    return page.items.filter((record) => record.doc.parent_thread_id !== null).map(toChild);
  }

  async primaryId(sessionId: string): Promise<string | undefined> {
    const page = await this.store.resources.list<SessionThread>({
      kind: 'thread',
      parentId: sessionId,
      order: 'asc',
      limit: 1000,
      includeArchived: true,
    });
    return page.items.find((record) => record.doc.parent_thread_id === null)?.id;
  }

  async create(
    sessionId: string,
    parentThreadId: string,
    agent: SessionThread['agent'],
    workflowRunId: string | null = null,
  ): Promise<ChildThread> {
    const now = toTimestamp(this.clock.now());
    const thread = {
      ...newSessionThread({ id: this.ids.next('thread'), sessionId, parentThreadId, agent, now }),
      workflow_run_id: workflowRunId,
    };
    await this.store.resources.insert(threadRecord(thread));
    return toChild(threadRecord(thread));
  }

  /** A worker's own usage and stats, shown on its thread object (the session sums every thread). */
  async saveUsage(
    threadId: string,
    usage: Record<string, unknown>,
    stats: Record<string, unknown>,
  ): Promise<void> {
    const record = await this.store.resources.get<SessionThread>('thread', threadId);
    if (!record) return;
    const now = this.clock.now();
    // A thread's elapsed time counts from its own creation, not the session's.
    const duration_seconds = Math.max(0, (now - Date.parse(record.doc.created_at)) / 1000);
    const updated = {
      ...record.doc,
      usage,
      stats: { ...stats, duration_seconds },
      updated_at: toTimestamp(now),
    };
    await this.store.resources.update(threadRecord(updated));
  }

  async setStatus(threadId: string, status: SessionStatus): Promise<void> {
    const record = await this.store.resources.get<SessionThread>('thread', threadId);
    if (!record || record.doc.status === status || record.doc.status === 'terminated') return;
    const updated = { ...record.doc, status, updated_at: toTimestamp(this.clock.now()) };
    await this.store.resources.update(threadRecord(updated));
  }
}

function toChild(record: ResourceRecord<SessionThread>): ChildThread {
  return {
    id: record.id,
    sessionId: record.doc.session_id,
    agentName: agentNameOf(record.doc.agent),
    agent: record.doc.agent,
    status: record.doc.status,
    workflowRunId: record.doc.workflow_run_id ?? null,
  };
}

function threadRecord(thread: SessionThread): ResourceRecord<SessionThread> {
  return {
    kind: 'thread',
    id: thread.id,
    parentId: thread.session_id,
    name: null,
    status: thread.status,
    refId: thread.agent.type === 'agent' ? (thread.agent as ThreadAgent).id : null,
    refVersion: thread.agent.type === 'agent' ? (thread.agent as ThreadAgent).version : null,
    createdAt: thread.created_at,
    updatedAt: thread.updated_at,
    archivedAt: thread.archived_at,
    doc: thread,
  };
}
