import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { Session } from '../domain/session.js';
import { conflict, notFound } from '../errors.js';
import {
  type DraftEvent,
  type PreviewEvent,
  type SessionEvent,
  STATUS_OF_EVENT,
} from '../events/session-event.js';
import type { IdGenerator } from '../ids.js';
import { OUTCOME_PROJECTION_TYPES } from '../outcomes/outcome-projection.js';
import type { EventBus } from '../ports/event-bus.js';
import type { EventListQuery, NewEvent, Store, StoredEvent } from '../ports/store.js';
import { type TailItem, type TailOptions, tailEvents } from './event-tail.js';
import { projectEvents } from './session-projection.js';
import { sessionRecord } from './session-record.js';

export type LoggedEvent = StoredEvent<SessionEvent>;

export interface AppendOptions {
  /** One deterministic key per harness step; event i of the batch gets `${key}#${i}`. */
  idempotencyKey?: string | undefined;
  /** Or one key per event, in order (undefined entries are not idempotent). */
  idempotencyKeys?: readonly (string | undefined)[] | undefined;
  /** When set, the append fails unless this owner holds an unexpired lease on the session. */
  leaseOwner?: string | undefined;
  /**
   * Changes the session record in the same transaction, after the per-session
   * append lock is held (SessionService uses it for updates and archive).
   */
  mutateSession?: ((session: Session) => Session) | undefined;
}

export type EventQuery = Omit<EventListQuery, 'sessionId'>;

/**
 * The session's durable, append-only log: the only way anything appends
 * events. Appends commit first (atomically, idempotently, together with the
 * session record's projections) and are published on the bus afterwards, so
 * no client ever sees an event that is not in the log.
 */
export class EventLog {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  /** An id for an event that will be appended later (stream previews announce it first). */
  newEventId(): string {
    return this.ids.next('event');
  }

  async append(
    sessionId: string,
    drafts: readonly DraftEvent[],
    options: AppendOptions = {},
  ): Promise<LoggedEvent[]> {
    const processedAt = toTimestamp(this.clock.now());
    const fresh = drafts.map((draft, index): NewEvent<SessionEvent> => {
      // A preview (event_start) may have announced the id before the event was committed.
      const id = (draft as { id?: string }).id ?? this.ids.next('event');
      const doc = { ...draft, id, processed_at: processedAt } as SessionEvent;
      return {
        id,
        type: doc.type,
        threadId: doc.session_thread_id ?? null,
        processedAt,
        doc,
        idempotencyKey:
          options.idempotencyKeys?.[index] ??
          (options.idempotencyKey === undefined ? undefined : `${options.idempotencyKey}#${index}`),
      };
    });
    const stored = await this.store.transaction(async (tx) => {
      if (options.leaseOwner !== undefined) await assertLease(tx, sessionId, options.leaseOwner, processedAt);
      const appended = (await tx.events.append(sessionId, fresh)) as LoggedEvent[];
      const newlyStored = appended.filter((event, index) => event.id === fresh[index]?.id);
      // Most appends (messages, tool calls, spans) change no projection: skip the record round trip.
      if (!options.mutateSession && !newlyStored.some((event) => affectsProjection(event.doc))) {
        return { appended, newlyStored };
      }
      // Re-read after the append: the store holds the per-session lock from here to commit.
      const record = await tx.resources.get<Session>('session', sessionId);
      if (!record) throw notFound('Session', sessionId);
      const mutated = options.mutateSession ? options.mutateSession(record.doc) : record.doc;
      const projected = projectEvents(
        mutated,
        newlyStored.map((event) => event.doc),
      );
      const next = projected ?? mutated;
      if (next !== record.doc) {
        await tx.resources.update(sessionRecord({ ...next, updated_at: processedAt }));
      }
      return { appended, newlyStored };
    });
    // Replays of an idempotent step return the stored copies but publish nothing.
    for (const event of stored.newlyStored) this.bus.publish(event);
    return stored.appended;
  }

  /** Stream-only previews (`event_start`/`event_delta`); never stored. */
  publishPreview(sessionId: string, payload: PreviewEvent): void {
    this.bus.publishEphemeral(sessionId, payload);
  }

  async list(sessionId: string, query: EventQuery): Promise<LoggedEvent[]> {
    return (await this.store.events.list({ ...query, sessionId })) as LoggedEvent[];
  }

  async get(sessionId: string, eventId: string): Promise<LoggedEvent | undefined> {
    return (await this.store.events.get(sessionId, eventId)) as LoggedEvent | undefined;
  }

  /** The seq of the last committed event, 0 for an empty log. */
  async lastSeq(sessionId: string): Promise<number> {
    const [last] = await this.store.events.list({ sessionId, order: 'desc', limit: 1 });
    return last?.seq ?? 0;
  }

  /**
   * Committed events after `afterSeq` (default: the log's end at call time),
   * then the live tail: in order, with no gap and no duplicate.
   */
  tail(sessionId: string, options: TailOptions = {}): AsyncIterable<TailItem> {
    return tailEvents(this, this.bus, sessionId, options);
  }
}

async function assertLease(tx: Store, sessionId: string, owner: string, now: string): Promise<void> {
  const holder = await tx.leases.holder(sessionId);
  if (!holder || holder.owner !== owner || holder.expiresAt <= now) {
    throw conflict(`session ${sessionId}: lease is not held by ${owner}; stop appending`, {
      errorCode: 'stale_lease',
    });
  }
}

/** Whether an event changes the session record's projections (status, usage, budget, outcomes). */
function affectsProjection(event: SessionEvent): boolean {
  return (
    STATUS_OF_EVENT[event.type] !== undefined ||
    event.type === 'session.usage' ||
    OUTCOME_PROJECTION_TYPES.has(event.type)
  );
}
