import type { FastifyInstance } from 'fastify';
import {
  credentialCreateSchema,
  credentialListQuerySchema,
  credentialUpdateSchema,
} from '../../core/schemas/credentials.js';
import type { AppContext } from '../context.js';
import { pagingOf, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type VaultParams = { Params: { vault_id: string } };
type CredentialParams = { Params: { vault_id: string; credential_id: string } };

const base = '/v1/vaults/:vault_id/credentials';

/** Responses carry only the public half of `auth`; secrets are write-only. */
export function registerCredentialRoutes(app: FastifyInstance, { credentials }: AppContext): void {
  app.post<VaultParams>(base, async (request) =>
    credentials.create(request.params.vault_id, parseInput(credentialCreateSchema, request.body)),
  );

  app.get<CredentialParams>(`${base}/:credential_id`, async (request) =>
    credentials.retrieve(request.params.vault_id, request.params.credential_id),
  );

  app.post<CredentialParams>(`${base}/:credential_id`, async (request) =>
    credentials.update(
      request.params.vault_id,
      request.params.credential_id,
      parseInput(credentialUpdateSchema, request.body ?? {}),
    ),
  );

  app.post<CredentialParams>(`${base}/:credential_id/archive`, async (request) =>
    credentials.archive(request.params.vault_id, request.params.credential_id),
  );

  app.post<CredentialParams>(`${base}/:credential_id/mcp_oauth_validate`, async (request) =>
    credentials.validateMcpOAuth(request.params.vault_id, request.params.credential_id),
  );

  app.delete<CredentialParams>(`${base}/:credential_id`, async (request) =>
    credentials.delete(request.params.vault_id, request.params.credential_id),
  );

  app.get<VaultParams>(base, async (request) => {
    const query = parseInput(credentialListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await credentials.list(request.params.vault_id, {
      limit,
      cursor,
      includeArchived: query.include_archived,
    });
    return toPageCursor(page, cursor, (record) => record.doc);
  });
}
