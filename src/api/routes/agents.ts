import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../core/errors.js';
import {
  agentCreateSchema,
  agentListQuerySchema,
  agentRetrieveQuerySchema,
  agentUpdateSchema,
  agentVersionsQuerySchema,
} from '../../core/schemas/agents.js';
import type { AppContext } from '../context.js';
import { pagingOf, resolveLimit, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type IdParams = { Params: { agent_id: string } };

export function registerAgentRoutes(app: FastifyInstance, { agents }: AppContext): void {
  app.post('/v1/agents', async (request) => agents.create(parseInput(agentCreateSchema, request.body)));

  app.get<IdParams>('/v1/agents/:agent_id', async (request) => {
    const query = parseInput(agentRetrieveQuerySchema, request.query, 'query');
    return agents.retrieve(request.params.agent_id, query.version);
  });

  app.post<IdParams>('/v1/agents/:agent_id', async (request) =>
    agents.update(request.params.agent_id, parseInput(agentUpdateSchema, request.body ?? {})),
  );

  app.post<IdParams>('/v1/agents/:agent_id/archive', async (request) =>
    agents.archive(request.params.agent_id),
  );

  app.get('/v1/agents', async (request) => {
    const query = parseInput(agentListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await agents.list({
      limit,
      cursor,
      includeArchived: query.include_archived,
      createdAt: query.created_at,
    });
    return toPageCursor(page, cursor, (record) => record.doc);
  });

  app.get<IdParams>('/v1/agents/:agent_id/versions', async (request) => {
    const query = parseInput(agentVersionsQuerySchema, request.query, 'query');
    const before = query.page === undefined ? undefined : decodeVersionCursor(query.page);
    const { items, hasMore } = await agents.listVersions(
      request.params.agent_id,
      resolveLimit(query.limit),
      before,
    );
    const last = items[items.length - 1];
    return {
      data: items,
      next_page: hasMore && last ? Buffer.from(`v:${last.version}`).toString('base64url') : null,
    };
  });
}

function decodeVersionCursor(page: string): number {
  const match = /^v:(\d+)$/.exec(Buffer.from(page, 'base64url').toString('utf8'));
  if (!match?.[1]) throw invalidRequest('page: not a cursor this server issued');
  return Number(match[1]);
}
