import type { EventRepository, ResourceKind, ResourceRecord, Store } from '../ports/store.js';
import type { WebhookEventInput } from '../ports/webhook-outbox.js';
import {
  type LoggedSessionEvent,
  RESOURCE_FAMILIES,
  webhookTypesOfSessionEvent,
} from './webhook-event-types.js';

/** What the decorator publishes through: the outbox's transactional half. */
export interface TransactionalOutbox {
  publishIn(store: Store, event: WebhookEventInput): Promise<void>;
  /** The transaction `store` belongs to has committed: what it queued may be sent now. */
  committed?(store: Store): void;
}

/**
 * The one place the core's changes become webhook events: a Store whose resource writes
 * (agents, environments, vaults, credentials, memory stores, sessions) and session-log appends
 * (status, thread and update events) queue the matching events in the same transaction as the
 * write itself. Services need not remember to publish, and an event is queued exactly when its
 * change commits. Everything else on the store is passed through unchanged.
 */
export function withWebhookPublishing(store: Store, outbox: TransactionalOutbox, nested = false): Store {
  // The outermost wrapper's transactions are the ones that commit: it tells the outbox when.
  const atomically = async <T>(fn: (tx: Store) => Promise<T>): Promise<T> => {
    if (nested) return store.transaction(fn);
    let used: Store | undefined;
    const result = await store.transaction((tx) => {
      used = tx;
      return fn(tx);
    });
    if (used) outbox.committed?.(used);
    return result;
  };
  const resources: Store['resources'] = {
    get: store.resources.get.bind(store.resources),
    getForUpdate: store.resources.getForUpdate.bind(store.resources),
    findByName: store.resources.findByName.bind(store.resources),
    list: store.resources.list.bind(store.resources),
    async insert(record) {
      const family = RESOURCE_FAMILIES[record.kind];
      if (!family) return store.resources.insert(record);
      await atomically(async (tx) => {
        await tx.resources.insert(record);
        const stored = await tx.resources.get(record.kind, record.id);
        if (stored) await outbox.publishIn(tx, resourceEvent(stored, `${family.prefix}.created`));
      });
    },
    async update(record) {
      const family = RESOURCE_FAMILIES[record.kind];
      // Most updates are not archives (a session's projections change every turn): only an
      // archived record needs the previous one read.
      if (!family || (record.archivedAt === null && !family.updated)) return store.resources.update(record);
      return atomically(async (tx) => {
        const before =
          record.archivedAt === null ? undefined : await tx.resources.get(record.kind, record.id);
        if (!(await tx.resources.update(record))) return false;
        const stored = await tx.resources.get(record.kind, record.id);
        if (!stored) return true;
        if (record.archivedAt !== null && before?.archivedAt === null)
          await outbox.publishIn(tx, resourceEvent(stored, `${family.prefix}.archived`));
        else if (record.archivedAt === null && family.updated)
          await outbox.publishIn(tx, resourceEvent(stored, `${family.prefix}.updated`));
        return true;
      });
    },
    async delete(kind, id) {
      const family = RESOURCE_FAMILIES[kind];
      // A session's deletion is told by its log (`session.deleted`), before its rows go.
      if (!family || kind === 'session') return store.resources.delete(kind, id);
      return atomically(async (tx) => {
        const before = await tx.resources.get(kind, id);
        const deleted = await tx.resources.delete(kind, id);
        if (deleted && before) await outbox.publishIn(tx, resourceEvent(before, `${family.prefix}.deleted`));
        return deleted;
      });
    },
  };
  const events: EventRepository = {
    list: store.events.list.bind(store.events),
    get: store.events.get.bind(store.events),
    deleteSession: store.events.deleteSession.bind(store.events),
    append: (sessionId, fresh) =>
      atomically(async (tx) => {
        const appended = await tx.events.append(sessionId, fresh);
        // Replays of an idempotent step return the stored copies: only new events publish.
        const published = appended
          .filter((event, index) => event.id === fresh[index]?.id)
          .flatMap((event) => webhookTypesOfSessionEvent(event.doc as LoggedSessionEvent));
        if (published.length === 0) return appended;
        const session = await tx.resources.get('session', sessionId);
        if (!session?.workspaceId) return appended;
        for (const { type, threadId } of published)
          await outbox.publishIn(tx, {
            type,
            id: sessionId,
            workspaceId: session.workspaceId,
            ...(threadId ? { fields: { session_thread_id: threadId } } : {}),
          });
        return appended;
      }),
  };
  return {
    ...store,
    resources,
    events,
    transaction: (fn) => atomically((tx) => fn(withWebhookPublishing(tx, outbox, true))),
  };
}

function resourceEvent(record: ResourceRecord, type: string): WebhookEventInput {
  const kind: ResourceKind = record.kind;
  return {
    type,
    id: record.id,
    workspaceId: record.workspaceId ?? '',
    ...(kind === 'credential' && record.parentId ? { fields: { vault_id: record.parentId } } : {}),
  };
}
