import type { Session } from '../domain/session.js';
import { notFound } from '../errors.js';
import { CROSS_POSTED_TYPES } from '../events/thread-views.js';
import type { IdGenerator } from '../ids.js';
import type { Store, TimeRange } from '../ports/store.js';
import type { ClientEventInput } from '../schemas/session-events.js';
import { routeToThread, toDraft, validateClientEvents } from './client-events.js';
import type { EventLog, LoggedEvent } from './event-log.js';

export interface EventPageOptions {
  limit: number;
  order: 'asc' | 'desc';
  /** The seq of the last event on the previous page. */
  afterSeq?: number | undefined;
  types?: readonly string[] | undefined;
  createdAt?: TimeRange | undefined;
  threadId?: string | null | undefined;
}

/** Client input to a session's log (POST /events) and paged reads of it (GET /events). */
export class SessionEventService {
  constructor(
    private readonly store: Store,
    private readonly log: EventLog,
    private readonly ids: IdGenerator,
  ) {}

  async send(sessionId: string, events: readonly ClientEventInput[]): Promise<LoggedEvent[]> {
    const session = await this.session(sessionId);
    await validateClientEvents(session, events, { store: this.store, log: this.log });
    const drafts = await Promise.all(
      events.map((event) => routeToThread(this.log, sessionId, toDraft(event, this.ids))),
    );
    return this.log.append(sessionId, drafts);
  }

  /** One page plus whether more exist, walking seq in the requested order. */
  async page(
    sessionId: string,
    options: EventPageOptions,
  ): Promise<{ items: LoggedEvent[]; hasMore: boolean }> {
    await this.session(sessionId);
    const descending = options.order === 'desc';
    const rows = await this.log.list(sessionId, {
      order: options.order,
      limit: options.limit + 1,
      afterSeq: descending ? undefined : options.afterSeq,
      beforeSeq: descending ? options.afterSeq : undefined,
      types: options.types,
      processedAt: options.createdAt,
      // No thread named: the session-level view, primary thread plus cross-posted child events.
      threadId: options.threadId === undefined ? null : options.threadId,
      alsoTypes: options.threadId === undefined ? CROSS_POSTED_TYPES : undefined,
    });
    return { items: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
  }

  /** The seq of an event, for `Last-Event-ID` resume; undefined when it is not in this session. */
  async seqOf(sessionId: string, eventId: string): Promise<number | undefined> {
    return (await this.log.get(sessionId, eventId))?.seq;
  }

  async session(sessionId: string): Promise<Session> {
    const record = await this.store.resources.get<Session>('session', sessionId);
    if (!record) throw notFound('Session', sessionId);
    return record.doc;
  }
}
