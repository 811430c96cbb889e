import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../core/errors.js';
import type { ApiKeyRecord } from '../../core/ports/store.js';
import { adminOnly } from '../access.js';
import type { AppContext } from '../context.js';
import { parseInput } from '../validation.js';

const createSchema = z.strictObject({ name: z.string().min(1, 'name must not be empty').max(255) });

const toWire = (record: ApiKeyRecord) => ({
  type: 'api_key' as const,
  id: record.id,
  name: record.name,
  created_at: record.createdAt,
});

/**
 * Paddock's own API keys (not part of the Managed Agents protocol): created by
 * an API key holder or `paddock keys create`, stored as hashes, and shown once.
 */
export function registerApiKeyRoutes(app: FastifyInstance, { apiKeys, audit }: AppContext): void {
  // Older Paddock clients; like /v1/organizations/api_keys without workspace_id, it makes an
  // organization (admin) key, so only an admin key may call it.
  app.post('/v1/api_keys', adminOnly, async (request) => {
    const body = parseInput(createSchema, request.body);
    const { record, key } = await apiKeys.create({
      name: body.name,
      createdBy: request.workspaceScope?.actor,
    });
    await audit.record(
      'api_key.created',
      { type: 'api_key', id: record.id, workspaceId: null },
      { name: record.name },
    );
    return { ...toWire(record), key };
  });

  app.get('/v1/api_keys', adminOnly, async () => ({
    data: (await apiKeys.list()).map(toWire),
    next_page: null,
  }));

  app.delete<{ Params: { key_id: string } }>('/v1/api_keys/:key_id', adminOnly, async (request) => {
    if (!(await apiKeys.revoke(request.params.key_id))) throw notFound('API key', request.params.key_id);
    await audit.record('api_key.deleted', { type: 'api_key', id: request.params.key_id, workspaceId: null });
    return { id: request.params.key_id, type: 'api_key_deleted' };
  });
}
