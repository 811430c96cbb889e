import type { FastifyInstance } from 'fastify';
import {
  sessionCreateSchema,
  sessionListQuerySchema,
  sessionUpdateSchema,
} from '../../core/schemas/sessions.js';
import { workerSessionAccess } from '../access.js';
import type { AppContext } from '../context.js';
import { pagingOf, toBidirectionalPage } from '../paging.js';
import { parseInput } from '../validation.js';

type SessionParams = { Params: { session_id: string } };

export function registerSessionRoutes(app: FastifyInstance, context: AppContext): void {
  const { sessions, sessionCommands } = context;

  app.post('/v1/sessions', async (request) =>
    sessionCommands.create(parseInput(sessionCreateSchema, request.body)),
  );

  app.get<SessionParams>('/v1/sessions/:session_id', workerSessionAccess, async (request) =>
    sessions.retrieve(request.params.session_id),
  );

  app.post<SessionParams>('/v1/sessions/:session_id', async (request) =>
    sessionCommands.update(request.params.session_id, parseInput(sessionUpdateSchema, request.body ?? {})),
  );

  app.get('/v1/sessions', async (request) => {
    const query = parseInput(sessionListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await sessions.list({
      limit,
      order: query.order ?? 'desc',
      cursor,
      agentId: query.agent_id,
      agentVersion: query.agent_version,
      statuses: query.statuses,
      includeArchived: query.include_archived,
      createdAt: query.created_at,
      memoryStoreId: query.memory_store_id,
      deploymentId: query.deployment_id,
    });
    return toBidirectionalPage(page, cursor, (record) => record.doc);
  });

  app.post<SessionParams>('/v1/sessions/:session_id/archive', async (request) =>
    sessionCommands.archive(request.params.session_id),
  );

  app.delete<SessionParams>('/v1/sessions/:session_id', async (request) =>
    sessionCommands.delete(request.params.session_id),
  );
}
