import type { FastifyInstance } from 'fastify';
import { toWire } from '../../core/environments/environment.js';
import {
  environmentCreateSchema,
  environmentListQuerySchema,
  environmentUpdateSchema,
} from '../../core/schemas/environments.js';
import type { AppContext } from '../context.js';
import { pagingOf, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type IdParams = { Params: { environment_id: string } };

export function registerEnvironmentRoutes(app: FastifyInstance, { environments }: AppContext): void {
  app.post('/v1/environments', async (request) =>
    environments.create(parseInput(environmentCreateSchema, request.body)),
  );

  app.get<IdParams>('/v1/environments/:environment_id', async (request) =>
    environments.retrieve(request.params.environment_id),
  );

  app.post<IdParams>('/v1/environments/:environment_id', async (request) =>
    environments.update(
      request.params.environment_id,
      parseInput(environmentUpdateSchema, request.body ?? {}),
    ),
  );

  app.post<IdParams>('/v1/environments/:environment_id/archive', async (request) =>
    environments.archive(request.params.environment_id),
  );

  app.delete<IdParams>('/v1/environments/:environment_id', async (request) =>
    environments.delete(request.params.environment_id),
  );

  app.get('/v1/environments', async (request) => {
    const query = parseInput(environmentListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await environments.list({
      limit,
      cursor,
      includeArchived: query.include_archived,
    });
    return toPageCursor(page, cursor, (record) => toWire(record.doc));
  });
}
