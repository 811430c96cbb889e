import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { Session, SessionResource } from '../domain/session.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Store } from '../ports/store.js';
import type { SessionResourceParam } from '../schemas/sessions.js';
import type { EventLog } from './event-log.js';
import { assertDistinctMounts, buildResources, type SecretSealer, storeTokens } from './session-resources.js';

/**
 * /v1/sessions/{id}/resources. Changes go through the event log's per-session
 * lock (an empty append with `mutateSession`), so they never race a status
 * projection written by the harness on another node.
 */
export class SessionResourceService {
  constructor(
    private readonly deps: {
      store: Store;
      log: EventLog;
      ids: IdGenerator;
      clock: Clock;
      sealer: SecretSealer;
    },
  ) {}

  async list(sessionId: string): Promise<SessionResource[]> {
    return (await this.session(sessionId)).resources;
  }

  async retrieve(sessionId: string, resourceId: string): Promise<SessionResource> {
    const found = (await this.session(sessionId)).resources.find((resource) => resource.id === resourceId);
    if (!found) throw notFound('Session resource', resourceId, 'session_resource_not_found');
    return found;
  }

  async add(sessionId: string, param: SessionResourceParam): Promise<SessionResource> {
    const session = await this.session(sessionId);
    if (session.status === 'terminated') throw invalidRequest(`session ${sessionId} is terminated`);
    if (param.type === 'memory_store')
      throw invalidRequest('type: memory stores are attached when the session is created, not added later');
    const now = toTimestamp(this.deps.clock.now());
    const [built] = await buildResources(
      [param],
      { store: this.deps.store, ids: this.deps.ids, now },
      'body',
    );
    if (!built) throw invalidRequest('body: no resource given');
    assertDistinctMounts([...session.resources, built.resource]);
    await storeTokens(this.deps.store, this.deps.sealer, [built]);
    await this.mutate(sessionId, (current) => ({
      ...current,
      resources: [...current.resources, built.resource],
    }));
    return built.resource;
  }

  /** Only a repository's authorization token can change (write-only, so the response shows no change). */
  async update(sessionId: string, resourceId: string, authorizationToken: string): Promise<SessionResource> {
    const resource = await this.retrieve(sessionId, resourceId);
    if (resource.type !== 'github_repository') {
      throw invalidRequest(
        `authorization_token: resource ${resourceId} is a ${resource.type}, not a github_repository`,
      );
    }
    await this.deps.store.secrets.put(resourceId, this.deps.sealer.seal(resourceId, authorizationToken));
    const updated = { ...resource, updated_at: toTimestamp(this.deps.clock.now()) };
    await this.mutate(sessionId, (current) => ({
      ...current,
      resources: current.resources.map((candidate) => (candidate.id === resourceId ? updated : candidate)),
    }));
    return updated;
  }

  async delete(
    sessionId: string,
    resourceId: string,
  ): Promise<{ id: string; type: 'session_resource_deleted' }> {
    const resource = await this.retrieve(sessionId, resourceId);
    if (resource.type === 'memory_store')
      throw invalidRequest(`resource ${resourceId}: a memory store stays attached for the session's life`);
    await this.mutate(sessionId, (current) => ({
      ...current,
      resources: current.resources.filter((candidate) => candidate.id !== resourceId),
    }));
    await this.deps.store.secrets.delete(resourceId);
    return { id: resourceId, type: 'session_resource_deleted' };
  }

  private async mutate(sessionId: string, change: (session: Session) => Session): Promise<void> {
    await this.deps.log.append(sessionId, [], { mutateSession: change });
  }

  private async session(sessionId: string): Promise<Session> {
    const record = await this.deps.store.resources.get<Session>('session', sessionId);
    if (!record) throw notFound('Session', sessionId);
    return record.doc;
  }
}
