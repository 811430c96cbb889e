import type { FastifyRequest } from 'fastify';
import type { CallerCredential } from '../core/credentials.js';
import { notFound, PaddockError } from '../core/errors.js';
import { DEFAULT_WORKSPACE_ID, type WorkspaceScope } from '../core/workspaces/workspace-scope.js';
import type { AppContext } from './context.js';

/** The header the SDK sends when a call passes `workspace_id`. */
export const WORKSPACE_HEADER = 'anthropic-workspace-id';

const actorOf = (credential: CallerCredential): string =>
  credential.kind === 'api_key'
    ? credential.keyId
    : credential.kind === 'environment'
      ? `environment:${credential.environmentId}`
      : `work:${credential.workId}`;

/**
 * Which workspace a request acts in. An organization (admin) key acts in the workspace its
 * header names, confined to it; without the header it sees every workspace and creates in the
 * default one. A workspace key, an environment key and a sessions token act in their own
 * workspace only: naming another is a 403, never a silent switch. Then the workspace's
 * request rate is counted (429 beyond its limit).
 */
export async function resolveWorkspaceScope(
  request: FastifyRequest,
  credential: CallerCredential,
  context: AppContext,
): Promise<WorkspaceScope> {
  const header = request.headers[WORKSPACE_HEADER];
  const named = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
  const actor = actorOf(credential);
  const own = credential.workspaceId;
  if (own === null) {
    if (named === undefined) return { workspaceId: DEFAULT_WORKSPACE_ID, confined: false, actor };
    if (!(await context.workspaces.isActive(named))) throw notFound('Workspace', named);
    await context.requestRate.admit(named);
    return { workspaceId: named, confined: true, actor };
  }
  if (named !== undefined && named !== own) {
    throw new PaddockError('permission', `this key belongs to workspace ${own} and cannot act in ${named}`, {
      errorCode: 'workspace_mismatch',
    });
  }
  if (!(await context.workspaces.isActive(own)))
    throw new PaddockError('permission', `workspace ${own} is archived`, { errorCode: 'workspace_archived' });
  await context.requestRate.admit(own);
  return { workspaceId: own, confined: true, actor };
}
