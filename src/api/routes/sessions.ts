import type { FastifyInstance } from 'fastify';
import {
  sessionCreateSchema,
  sessionListQuerySchema,
  sessionUpdateSchema,
} from '../../core/schemas/sessions.js';
import { workerSessionAccess } from '../access.js';
import type { AppContext } from '../context.js';
import { decodeCursor, resolveLimit, toBidirectionalPage } from '../paging.js';
import { parseInput } from '../validation.js';

type SessionParams = { Params: { session_id: string } };

export function registerSessionRoutes(app: FastifyInstance, context: AppContext): void {
  const { sessions } = context;

  app.post('/v1/sessions', async (request) => {
    const { session, initialEvents } = await sessions.create(parseInput(sessionCreateSchema, request.body));
    // Self-hosted: a worker must pick the session up (spec §6 server duties).
    await context.work.ensureForSession(session.id);
    if (initialEvents.length > 0) context.runner.notify(session.id);
    return session;
  });

  app.get<SessionParams>('/v1/sessions/:session_id', workerSessionAccess, async (request) =>
    sessions.retrieve(request.params.session_id),
  );

  app.post<SessionParams>('/v1/sessions/:session_id', async (request) => {
    const input = parseInput(sessionUpdateSchema, request.body ?? {});
    const session = await sessions.update(request.params.session_id, input);
    // A raised or removed budget resumes a session that stopped with budget_reached.
    if (input.budget !== undefined && (await context.metering.budgetAllowsResume(session)))
      context.runner.notify(session.id);
    return session;
  });

  app.get('/v1/sessions', async (request) => {
    const query = parseInput(sessionListQuerySchema, request.query, 'query');
    const cursor = decodeCursor(query.page);
    const page = await sessions.list({
      limit: resolveLimit(query.limit),
      order: query.order ?? 'desc',
      cursor,
      agentId: query.agent_id,
      agentVersion: query.agent_version,
      statuses: query.statuses,
      includeArchived: query.include_archived,
      createdAt: query.created_at,
    });
    return toBidirectionalPage(page, cursor, (record) => record.doc);
  });

  app.post<SessionParams>('/v1/sessions/:session_id/archive', async (request) => {
    const session = await sessions.archive(request.params.session_id);
    // A running turn must stop: the session accepts nothing more.
    context.runner.interrupt(session.id, null);
    return session;
  });

  app.delete<SessionParams>('/v1/sessions/:session_id', async (request) => {
    const deleted = await sessions.delete(request.params.session_id);
    context.runner.interrupt(deleted.id, null);
    return deleted;
  });
}
