import type { ApiKeyService } from './api-keys.js';
import { PaddockError } from './errors.js';
import type { EnvironmentKeyService } from './work/environment-keys.js';
import type { WorkQueue } from './work/work-queue.js';
import { ENVIRONMENT_KEY_PREFIX, SESSIONS_TOKEN_PREFIX } from './work/work-tokens.js';

/**
 * The three credential kinds (spec §6.1):
 * - `api_key`: an operator; may do anything except the worker-only calls.
 * - `environment`: a self-hosted worker's standing key, scoped to one environment.
 * - `session`: the short-lived `sk-ant-req-…` token of one work item, scoped to its session.
 */
export type CallerCredential =
  /** workspaceId null: an organization (admin) key. */
  | { kind: 'api_key'; keyId: string; workspaceId: string | null }
  | { kind: 'environment'; environmentId: string; workspaceId: string }
  | { kind: 'session'; sessionId: string; workId: string; environmentId: string; workspaceId: string };

export type CallerCredentialKind = CallerCredential['kind'];

export class CredentialResolver {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly environmentKeys: EnvironmentKeyService,
    private readonly work: Pick<WorkQueue, 'resolveToken'>,
    /** The workspace an environment belongs to: worker credentials are confined to it. */
    private readonly workspaceOfEnvironment: (environmentId: string) => Promise<string | undefined>,
  ) {}

  /** Throws `authentication` for a missing or unknown credential. */
  async resolve(presented: string | undefined): Promise<CallerCredential> {
    if (presented?.startsWith(SESSIONS_TOKEN_PREFIX)) {
      const scope = await this.work.resolveToken(presented);
      if (!scope)
        throw new PaddockError(
          'authentication',
          'invalid or expired sessions token (its work item is stopped or was claimed again)',
        );
      const workspaceId = await this.workspaceOfEnvironment(scope.environmentId);
      if (workspaceId !== undefined) return { kind: 'session', ...scope, workspaceId };
      throw new PaddockError('authentication', 'invalid sessions token (its environment is gone)');
    }
    if (presented?.startsWith(ENVIRONMENT_KEY_PREFIX)) {
      const environmentId = await this.environmentKeys.environmentOf(presented);
      const workspaceId = environmentId && (await this.workspaceOfEnvironment(environmentId));
      if (environmentId && workspaceId) return { kind: 'environment', environmentId, workspaceId };
      // Not an environment key after all: an admin key may look like one.
    }
    const principal = await this.apiKeys.verify(presented);
    return { kind: 'api_key', ...principal };
  }
}
