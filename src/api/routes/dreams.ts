import type { FastifyInstance } from 'fastify';
import { dreamCreateSchema, dreamListQuerySchema } from '../../core/dreams/dream-schemas.js';
import type { DreamService } from '../../core/dreams/dream-service.js';
import { pagingOf, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type DreamParams = { Params: { dream_id: string } };

/** /v1/dreams (docs/dreams.md): create, retrieve, list, archive, cancel. */
export function registerDreamRoutes(app: FastifyInstance, dreams: DreamService): void {
  app.post('/v1/dreams', async (request) => dreams.create(parseInput(dreamCreateSchema, request.body)));
  app.get<DreamParams>('/v1/dreams/:dream_id', async (request) => dreams.retrieve(request.params.dream_id));
  app.get('/v1/dreams', async (request) => {
    const query = parseInput(dreamListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await dreams.list({
      limit,
      cursor,
      includeArchived: query.include_archived,
      statuses: query.statuses,
      createdAt: query.created_at,
    });
    return toPageCursor(page, cursor, (record) => record.doc.dream);
  });
  app.post<DreamParams>('/v1/dreams/:dream_id/archive', async (request) =>
    dreams.archive(request.params.dream_id),
  );
  app.post<DreamParams>('/v1/dreams/:dream_id/cancel', async (request) =>
    dreams.cancel(request.params.dream_id),
  );
}
