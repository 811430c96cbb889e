import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../core/errors.js';
import {
  fileResourceParamSchema,
  sessionResourceListQuerySchema,
  sessionResourceUpdateSchema,
} from '../../core/schemas/sessions.js';
import type { AppContext } from '../context.js';
import { resolveLimit } from '../paging.js';
import { parseInput } from '../validation.js';

type SessionParams = { Params: { session_id: string } };
type ResourceParams = { Params: { session_id: string; resource_id: string } };

/** Session resources: files (and repositories set at creation) mounted into the session's sandbox. */
export function registerSessionResourceRoutes(app: FastifyInstance, { sessionResources }: AppContext): void {
  app.get<SessionParams>('/v1/sessions/:session_id/resources', async (request) => {
    const query = parseInput(sessionResourceListQuerySchema, request.query, 'query');
    const limit = resolveLimit(query.limit);
    const all = await sessionResources.list(request.params.session_id);
    const offset = query.page === undefined ? 0 : decodeOffset(query.page);
    const data = all.slice(offset, offset + limit);
    const next =
      offset + limit < all.length ? Buffer.from(`o:${offset + limit}`).toString('base64url') : null;
    return { data, next_page: next };
  });

  app.post<SessionParams>('/v1/sessions/:session_id/resources', async (request) =>
    sessionResources.add(request.params.session_id, parseInput(fileResourceParamSchema, request.body)),
  );

  app.get<ResourceParams>('/v1/sessions/:session_id/resources/:resource_id', async (request) =>
    sessionResources.retrieve(request.params.session_id, request.params.resource_id),
  );

  app.post<ResourceParams>('/v1/sessions/:session_id/resources/:resource_id', async (request) => {
    const body = parseInput(sessionResourceUpdateSchema, request.body);
    return sessionResources.update(
      request.params.session_id,
      request.params.resource_id,
      body.authorization_token,
    );
  });

  app.delete<ResourceParams>('/v1/sessions/:session_id/resources/:resource_id', async (request) =>
    sessionResources.delete(request.params.session_id, request.params.resource_id),
  );
}

function decodeOffset(page: string): number {
  const match = /^o:(\d+)$/.exec(Buffer.from(page, 'base64url').toString('utf8'));
  if (!match?.[1]) throw invalidRequest('page: not a cursor this server issued');
  return Number(match[1]);
}
