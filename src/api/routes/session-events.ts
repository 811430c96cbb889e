import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest } from '../../core/errors.js';
import { inPrimaryView } from '../../core/events/thread-views.js';
import {
  eventListQuerySchema,
  eventStreamQuerySchema,
  sendEventsSchema,
} from '../../core/schemas/session-events.js';
import { workerSessionAccess } from '../access.js';
import type { AppContext } from '../context.js';
import { resolveLimit } from '../paging.js';
import { endsSession, pumpSessionStream } from '../session-stream.js';
import { sseStreams } from '../sse.js';
import { UnseenInput } from '../unseen-input.js';
import { parseInput } from '../validation.js';

type SessionParams = { Params: { session_id: string } };

export const MAX_EVENT_PAGE_LIMIT = 1000;

export interface SessionEventRouteOptions {
  sseHeartbeatMs?: number | undefined;
  /** PADDOCK_SSE_MAX_BUFFER_BYTES (src/api/sse.ts). */
  sseMaxBufferBytes?: number | undefined;
}

export function registerSessionEventRoutes(
  app: FastifyInstance,
  context: AppContext,
  options: SessionEventRouteOptions = {},
): void {
  const { sessionEvents, sessionCommands, events } = context;
  const openStream = sseStreams(app, {
    heartbeatMs: options.sseHeartbeatMs,
    maxBufferBytes: options.sseMaxBufferBytes,
  });
  const unseenInput = new UnseenInput();

  app.post<SessionParams>('/v1/sessions/:session_id/events', workerSessionAccess, async (request) => {
    const body = parseInput(sendEventsSchema, request.body);
    const stored = await sessionCommands.send(request.params.session_id, body.events);
    const first = stored[0];
    if (first) unseenInput.accepted(request.params.session_id, first.seq);
    return { data: stored.map((event) => event.doc) };
  });

  app.get<SessionParams>('/v1/sessions/:session_id/events', workerSessionAccess, async (request) => {
    const query = parseInput(eventListQuerySchema, request.query, 'query');
    const page = await sessionEvents.page(request.params.session_id, {
      limit: resolveLimit(query.limit, MAX_EVENT_PAGE_LIMIT),
      order: query.order ?? 'asc',
      afterSeq: decodeSeqCursor(query.page),
      types: query.types,
      createdAt: query.created_at,
    });
    return toSeqPage(page);
  });

  app.get<SessionParams>(
    '/v1/sessions/:session_id/events/stream',
    workerSessionAccess,
    async (request, reply) => {
      const sessionId = request.params.session_id;
      const query = parseInput(eventStreamQuerySchema, request.query, 'query');
      await sessionEvents.session(sessionId);
      const afterSeq =
        (await resumePoint(request, query.last_event_id, (id) => sessionEvents.seqOf(sessionId, id))) ??
        unseenInput.startAfter(sessionId);
      const deltaTypes = new Set<string>(query.event_deltas ?? []);
      const stream = openStream(reply);
      const tail = events.tail(sessionId, { afterSeq, previews: deltaTypes.size > 0, signal: stream.signal });
      void pumpSessionStream(stream, tail, {
        deltaTypes,
        isFinal: endsSession,
        include: inPrimaryView,
        onCarried: (seq) => unseenInput.carried(sessionId, seq),
      });
      return reply;
    },
  );
}

/** `Last-Event-ID` (header, or `?last_event_id=` for clients that cannot set headers). */
export async function resumePoint(
  request: FastifyRequest,
  fromQuery: string | undefined,
  seqOf: (eventId: string) => Promise<number | undefined>,
): Promise<number | undefined> {
  const header = request.headers['last-event-id'];
  const lastEventId = (Array.isArray(header) ? header[0] : header)?.trim() || fromQuery;
  if (!lastEventId) return undefined;
  const seq = await seqOf(lastEventId);
  if (seq === undefined)
    throw invalidRequest(`Last-Event-ID: no event ${JSON.stringify(lastEventId)} in this session`);
  return seq;
}

/** PageCursor over the log: the cursor is the seq of the page's last event. */
export function toSeqPage(page: { items: Array<{ seq: number; doc: unknown }>; hasMore: boolean }) {
  const last = page.items[page.items.length - 1];
  return {
    data: page.items.map((event) => event.doc),
    next_page: page.hasMore && last ? Buffer.from(`seq:${last.seq}`).toString('base64url') : null,
  };
}

export function decodeSeqCursor(page: string | undefined): number | undefined {
  if (page === undefined) return undefined;
  const match = /^seq:(\d+)$/.exec(Buffer.from(page, 'base64url').toString('utf8'));
  if (!match?.[1])
    throw invalidRequest('page: not a cursor this server issued; pass next_page back unchanged');
  return Number(match[1]);
}
