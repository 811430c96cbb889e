import type { FastifyRequest } from 'fastify';
import type { CallerCredential, CallerCredentialKind } from '../core/credentials.js';
import { notFound, PaddockError } from '../core/errors.js';
import type { WorkspaceScope } from '../core/workspaces/workspace-scope.js';
import { presentedKey } from './auth.js';
import type { AppContext } from './context.js';
import { resolveWorkspaceScope } from './workspace-access.js';

/**
 * Which credentials a route takes, and what a worker credential must match:
 * `session` (the `:session_id`), `environment` (the `:environment_id`) or
 * `work` (the `:environment_id` and, for a sessions token, the `:work_id`).
 * Routes without `access` take API keys only.
 */
export interface RouteAccess {
  kinds: readonly CallerCredentialKind[];
  scope?: 'session' | 'environment' | 'work' | 'skill' | 'memory_read' | 'memory_write';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** Served without a credential (the console's static files; their data calls are authenticated). */
    public?: boolean;
    /** Organization routes (workspaces, keys, audit log): organization (admin) keys only. */
    admin?: boolean;
  }
  interface FastifyRequest {
    /** Set by the auth hook on every authenticated request. */
    credential?: CallerCredential;
    /** The workspace the request acts in; entered around the handler (app.ts). */
    workspaceScope?: WorkspaceScope;
  }
}

const API_KEY_ONLY: RouteAccess = { kinds: ['api_key'] };

/** Route options opening a route to workers (route-level `config`). */
export const access = (kinds: readonly CallerCredentialKind[], scope?: RouteAccess['scope']) => ({
  config: { access: { kinds, ...(scope ? { scope } : {}) } },
});

/** Route options of an organization route (admin keys only). */
export const adminOnly = { config: { admin: true } };

/** The session routes a self-hosted worker calls with its sessions token or environment key. */
export const workerSessionAccess = access(['api_key', 'environment', 'session'], 'session');

const DESCRIBE: Record<CallerCredentialKind, string> = {
  api_key: 'an API key',
  environment: 'an environment key',
  session: 'a sessions token',
};

/** The one auth step (app.ts onRequest): who is calling, and may they call this route for this resource. */
export async function authorize(request: FastifyRequest, context: AppContext): Promise<void> {
  if (request.routeOptions.config?.public === true) return;
  const credential = await context.auth.resolve(presentedKey(request));
  request.credential = credential;
  // No route matches: every valid credential gets the 404, as an API key does (a 403 would say
  // the path exists and only the key is wrong).
  if (request.is404) return;
  const policy = request.routeOptions.config?.access ?? API_KEY_ONLY;
  if (!policy.kinds.includes(credential.kind)) {
    throw new PaddockError('permission', `this endpoint does not accept ${DESCRIBE[credential.kind]}`, {
      errorCode: 'credential_kind_not_allowed',
    });
  }
  if (
    request.routeOptions.config?.admin === true &&
    !(credential.kind === 'api_key' && credential.workspaceId === null)
  ) {
    throw new PaddockError(
      'permission',
      'this endpoint needs an organization (admin) key; a workspace key cannot call it',
      {
        errorCode: 'admin_key_required',
      },
    );
  }
  request.workspaceScope = await resolveWorkspaceScope(request, credential, context);
  if (credential.kind === 'api_key') return;
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  if (policy.scope === 'session') {
    const sessionId = params['session_id'] ?? '';
    if (credential.kind === 'session') return requireScope(credential.sessionId === sessionId, 'session');
    const session = await context.sessions.retrieve(sessionId).catch(() => undefined);
    if (!session) throw notFound('Session', sessionId);
    return requireScope(session.environment_id === credential.environmentId, 'session');
  }
  const sameEnvironment = credential.environmentId === params['environment_id'];
  if (policy.scope === 'environment') return requireScope(sameEnvironment, 'environment');
  if (policy.scope === 'work') {
    requireScope(sameEnvironment, 'environment');
    if (credential.kind === 'session') requireScope(credential.workId === params['work_id'], 'work item');
    return;
  }
  // Skills a worker downloads (setupSkills): an environment key reads its workspace's skills; a
  // sessions token only those its session's agent uses.
  if (policy.scope === 'skill') {
    if (credential.kind === 'environment') return;
    const session = await context.sessions.retrieve(credential.sessionId).catch(() => undefined);
    const skillId = params['skill_id'];
    return requireScope(session?.agent.skills.some((skill) => skill.skill_id === skillId) === true, 'skill');
  }
  // Memory stores a worker downloads and syncs back (the SDK's SessionMemoryStores rides the
  // sessions token only): the stores attached to its session, written only through a read_write
  // attachment.
  if (policy.scope === 'memory_read' || policy.scope === 'memory_write') {
    const attached = await attachedMemoryStore(context, credential, params['memory_store_id']);
    requireScope(attached !== undefined, 'memory store');
    if (policy.scope === 'memory_write') {
      requireScope(attached?.access === 'read_write', 'memory store for writing (it is attached read_only)');
    }
    return;
  }
  // A worker route must name its scope; refusing is the safe default.
  requireScope(false, 'resource');
}

/** The attachment of `memoryStoreId` to a sessions token's session, if it has one. */
async function attachedMemoryStore(
  context: AppContext,
  credential: CallerCredential,
  memoryStoreId: string | undefined,
): Promise<{ access: string } | undefined> {
  if (credential.kind !== 'session') return undefined;
  const session = await context.sessions.retrieve(credential.sessionId).catch(() => undefined);
  for (const resource of session?.resources ?? []) {
    if (resource.type === 'memory_store' && resource.memory_store_id === memoryStoreId) return resource;
  }
  return undefined;
}

function requireScope(ok: boolean, what: string): void {
  if (!ok) {
    throw new PaddockError('permission', `this credential is not scoped to this ${what}`, {
      errorCode: 'credential_scope_mismatch',
    });
  }
}
