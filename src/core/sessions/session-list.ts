import { sessionsOfDeployment } from '../deployments/deployment-sessions.js';
import type { Session, SessionStatus } from '../domain/session.js';
import type {
  Cursor,
  ResourceListQuery,
  ResourcePage,
  ResourceRecord,
  Store,
  TimeRange,
} from '../ports/store.js';

export interface SessionListOptions {
  limit: number;
  order: 'asc' | 'desc';
  cursor?: Cursor | undefined;
  agentId?: string | undefined;
  agentVersion?: number | undefined;
  statuses?: readonly SessionStatus[] | undefined;
  includeArchived?: boolean | undefined;
  createdAt?: TimeRange | undefined;
  /** Only sessions with this memory store among their resources. */
  memoryStoreId?: string | undefined;
  /** Only sessions created by this deployment's runs. */
  deploymentId?: string | undefined;
}

/** sessions.list: the store's page, narrowed first to a deployment's sessions and a memory store's. */
export async function listSessions(
  store: Store,
  options: SessionListOptions,
): Promise<ResourcePage<Session>> {
  let ids: readonly string[] | undefined =
    options.deploymentId === undefined ? undefined : await sessionsOfDeployment(store, options.deploymentId);
  if (options.memoryStoreId !== undefined) {
    const mounting = (
      await everyRecord(store, {
        kind: 'session_resource',
        refId: options.memoryStoreId,
        includeArchived: true,
      })
    ).flatMap((record) => (record.parentId ? [record.parentId] : []));
    ids = ids === undefined ? mounting : mounting.filter((id) => ids?.includes(id));
  }
  if (ids !== undefined && ids.length === 0) return { items: [], hasMore: false };
  return store.resources.list<Session>({
    ids,
    kind: 'session',
    order: options.order,
    limit: options.limit,
    cursor: options.cursor,
    refId: options.agentId,
    refVersion: options.agentVersion,
    statuses: options.statuses,
    includeArchived: options.includeArchived,
    createdAt: options.createdAt,
  });
}

/** For the harness after a restart: sessions whose status says a turn may be unfinished. */
export async function listUnfinishedSessions(store: Store): Promise<string[]> {
  const records = await everyRecord(store, { kind: 'session', statuses: ['running', 'rescheduling'] });
  return records.map((record) => record.id);
}

/** Every record the query matches, oldest first, read a page of 100 at a time. */
async function everyRecord(
  store: Store,
  query: Omit<ResourceListQuery, 'order' | 'limit' | 'cursor'>,
): Promise<ResourceRecord<unknown>[]> {
  const records: ResourceRecord<unknown>[] = [];
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await store.resources.list({ ...query, order: 'asc', limit: 100, cursor });
    records.push(...page.items);
    const last = page.items[page.items.length - 1];
    if (!page.hasMore || !last) return records;
    cursor = { createdAt: last.createdAt, id: last.id, direction: 'next' };
  }
}
