import type { FastifyInstance } from 'fastify';
import { vaultCreateSchema, vaultListQuerySchema, vaultUpdateSchema } from '../../core/schemas/vaults.js';
import type { AppContext } from '../context.js';
import { pagingOf, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type IdParams = { Params: { vault_id: string } };

export function registerVaultRoutes(app: FastifyInstance, { vaults }: AppContext): void {
  app.post('/v1/vaults', async (request) => vaults.create(parseInput(vaultCreateSchema, request.body)));

  app.get<IdParams>('/v1/vaults/:vault_id', async (request) => vaults.retrieve(request.params.vault_id));

  app.post<IdParams>('/v1/vaults/:vault_id', async (request) =>
    vaults.update(request.params.vault_id, parseInput(vaultUpdateSchema, request.body ?? {})),
  );

  app.post<IdParams>('/v1/vaults/:vault_id/archive', async (request) =>
    vaults.archive(request.params.vault_id),
  );

  app.delete<IdParams>('/v1/vaults/:vault_id', async (request) => vaults.delete(request.params.vault_id));

  app.get('/v1/vaults', async (request) => {
    const query = parseInput(vaultListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await vaults.list({
      limit,
      cursor,
      includeArchived: query.include_archived,
    });
    return toPageCursor(page, cursor, (record) => record.doc);
  });
}
