import type { FastifyInstance } from 'fastify';
import { runInWorkspaceScope } from '../core/workspaces/workspace-scope.js';
import type { AppContext } from './context.js';

/**
 * Vault and credential changes, by route: recorded after the change succeeded. Workspace and key
 * changes are recorded by their own services and routes (core/workspaces/, routes/organization.ts).
 */
const AUDITED: Record<string, { action: string; target: 'vault' | 'credential'; idParam?: string }> = {
  'POST /v1/vaults': { action: 'vault.created', target: 'vault' },
  'POST /v1/vaults/:vault_id': { action: 'vault.updated', target: 'vault', idParam: 'vault_id' },
  'POST /v1/vaults/:vault_id/archive': { action: 'vault.archived', target: 'vault', idParam: 'vault_id' },
  'DELETE /v1/vaults/:vault_id': { action: 'vault.deleted', target: 'vault', idParam: 'vault_id' },
  'POST /v1/vaults/:vault_id/credentials': { action: 'credential.created', target: 'credential' },
  'POST /v1/vaults/:vault_id/credentials/:credential_id': {
    action: 'credential.updated',
    target: 'credential',
    idParam: 'credential_id',
  },
  'POST /v1/vaults/:vault_id/credentials/:credential_id/archive': {
    action: 'credential.archived',
    target: 'credential',
    idParam: 'credential_id',
  },
  'DELETE /v1/vaults/:vault_id/credentials/:credential_id': {
    action: 'credential.deleted',
    target: 'credential',
    idParam: 'credential_id',
  },
};

/**
 * What the audit log keeps of a request body: the names of the fields sent and the auth type,
 * never a value (credential bodies carry tokens and client secrets).
 */
function described(body: unknown, params: Record<string, string>): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  if (params['vault_id']) details['vault_id'] = params['vault_id'];
  if (body && typeof body === 'object') {
    details['fields'] = Object.keys(body).sort();
    const auth = (body as { auth?: { type?: unknown } }).auth;
    if (auth && typeof auth.type === 'string') details['auth_type'] = auth.type;
  }
  return details;
}

export function registerAuditHook(app: FastifyInstance, { audit }: AppContext): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const entry = AUDITED[`${request.method} ${request.routeOptions.url}`];
    const scope = request.workspaceScope;
    if (!entry || !scope || reply.statusCode >= 300) return payload;
    const params = (request.params ?? {}) as Record<string, string>;
    let id = entry.idParam ? params[entry.idParam] : undefined;
    if (id === undefined && typeof payload === 'string') {
      try {
        id = (JSON.parse(payload) as { id?: string }).id;
      } catch {
        // not JSON: nothing to name
      }
    }
    await runInWorkspaceScope(scope, () =>
      audit.record(
        entry.action,
        { type: entry.target, id: id ?? 'unknown' },
        described(request.body, params),
      ),
    );
    return payload;
  });
}
