import type { FastifyInstance } from 'fastify';
import type { SessionEvent } from '../../core/events/session-event.js';
import { eventListQuerySchema, eventStreamQuerySchema } from '../../core/schemas/session-events.js';
import type { AppContext } from '../context.js';
import { resolveLimit } from '../paging.js';
import { endsSession, pumpSessionStream } from '../session-stream.js';
import { sseStreams } from '../sse.js';
import { parseInput } from '../validation.js';
import {
  decodeSeqCursor,
  MAX_EVENT_PAGE_LIMIT,
  resumePoint,
  type SessionEventRouteOptions,
  toSeqPage,
} from './session-events.js';

type ThreadParams = { Params: { session_id: string; thread_id: string } };

/**
 * Threads. Events without `session_thread_id` belong to the primary thread;
 * child threads (the harness's multi-agent work) tag theirs.
 */
export function registerSessionThreadRoutes(
  app: FastifyInstance,
  context: AppContext,
  options: SessionEventRouteOptions = {},
): void {
  const { sessions, sessionEvents, events } = context;
  const openStream = sseStreams(app, {
    heartbeatMs: options.sseHeartbeatMs,
    maxBufferBytes: options.sseMaxBufferBytes,
  });

  app.get<{ Params: { session_id: string } }>('/v1/sessions/:session_id/threads', async (request) => ({
    data: await sessions.listThreads(request.params.session_id),
    next_page: null,
  }));

  app.get<ThreadParams>('/v1/sessions/:session_id/threads/:thread_id', async (request) =>
    sessions.retrieveThread(request.params.session_id, request.params.thread_id),
  );

  app.post<ThreadParams>('/v1/sessions/:session_id/threads/:thread_id/archive', async (request) =>
    context.threads.archive(request.params.session_id, request.params.thread_id),
  );

  app.get<ThreadParams>('/v1/sessions/:session_id/threads/:thread_id/events', async (request) => {
    const { session_id: sessionId, thread_id: threadId } = request.params;
    const thread = await sessions.retrieveThread(sessionId, threadId);
    const query = parseInput(eventListQuerySchema, request.query, 'query');
    const page = await sessionEvents.page(sessionId, {
      limit: resolveLimit(query.limit, MAX_EVENT_PAGE_LIMIT),
      order: query.order ?? 'asc',
      afterSeq: decodeSeqCursor(query.page),
      types: query.types,
      createdAt: query.created_at,
      threadId: thread.parent_thread_id === null ? null : thread.id,
    });
    return toSeqPage(page);
  });

  app.get<ThreadParams>('/v1/sessions/:session_id/threads/:thread_id/stream', async (request, reply) => {
    const { session_id: sessionId, thread_id: threadId } = request.params;
    const thread = await sessions.retrieveThread(sessionId, threadId);
    const query = parseInput(eventStreamQuerySchema, request.query, 'query');
    const afterSeq = await resumePoint(request, query.last_event_id, (id) =>
      sessionEvents.seqOf(sessionId, id),
    );
    const isPrimary = thread.parent_thread_id === null;
    const belongs = (event: SessionEvent) =>
      isPrimary
        ? !event.session_thread_id || event.session_thread_id === threadId
        : event.session_thread_id === threadId;
    const deltaTypes = new Set<string>(query.event_deltas ?? []);
    const stream = openStream(reply);
    const tail = events.tail(sessionId, { afterSeq, previews: deltaTypes.size > 0, signal: stream.signal });
    void pumpSessionStream(stream, tail, {
      deltaTypes,
      include: belongs,
      isFinal: (event) =>
        endsSession(event) ||
        (event.type === 'session.thread_status_terminated' && event.session_thread_id === threadId),
    });
    return reply;
  });
}
