import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { EnvironmentDocument } from '../environments/environment.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Store } from '../ports/store.js';
import { generateEnvironmentKey, hashToken } from './work-tokens.js';

/** What the API shows about an environment key; the key itself only once, at creation. */
export interface EnvironmentKey {
  type: 'environment_key';
  id: string;
  environment_id: string;
  name: string | null;
  created_at: string;
}

/**
 * Environment keys: nothing in the Managed Agents API issues them (spec §3.2),
 * so Paddock does, through an admin-only endpoint and the CLI. Each key is a
 * `resources` row of kind `environment_key`: parent = the environment,
 * name = the key's hash (the unique index makes lookup by hash exact).
 */
export class EnvironmentKeyService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async create(
    environmentId: string,
    name?: string | null,
  ): Promise<{ record: EnvironmentKey; key: string }> {
    await this.environment(environmentId);
    const key = generateEnvironmentKey();
    const now = toTimestamp(this.clock.now());
    const record: EnvironmentKey = {
      type: 'environment_key',
      id: this.ids.next('apiKey'),
      environment_id: environmentId,
      name: name ?? null,
      created_at: now,
    };
    await this.store.resources.insert({
      kind: 'environment_key',
      id: record.id,
      parentId: environmentId,
      name: hashToken(key),
      status: null,
      refId: null,
      refVersion: null,
      createdAt: now,
      updatedAt: now,
      archivedAt: null,
      doc: record,
    });
    return { record, key };
  }

  async list(environmentId: string): Promise<EnvironmentKey[]> {
    await this.environment(environmentId);
    const page = await this.store.resources.list<EnvironmentKey>({
      kind: 'environment_key',
      parentId: environmentId,
      order: 'asc',
      limit: 1000,
    });
    return page.items.map((item) => item.doc);
  }

  async revoke(
    environmentId: string,
    keyId: string,
  ): Promise<{ id: string; type: 'environment_key_deleted' }> {
    const record = await this.store.resources.get<EnvironmentKey>('environment_key', keyId);
    if (!record || record.parentId !== environmentId) throw notFound('Environment key', keyId);
    await this.store.resources.delete('environment_key', keyId);
    return { id: keyId, type: 'environment_key_deleted' };
  }

  /** The environment a presented key belongs to; undefined when unknown or its environment is gone. */
  async environmentOf(presented: string): Promise<string | undefined> {
    const record = await this.store.resources.findByName<EnvironmentKey>(
      'environment_key',
      hashToken(presented),
    );
    if (!record) return undefined;
    const environment = await this.store.resources.get('environment', record.doc.environment_id);
    return environment ? record.doc.environment_id : undefined;
  }

  private async environment(environmentId: string): Promise<void> {
    const environment = await this.store.resources.get<EnvironmentDocument>('environment', environmentId);
    if (!environment) throw notFound('Environment', environmentId, 'environment_not_found');
    // Only self-hosted environments have workers; a key for a cloud one would authorize nothing.
    if (environment.doc.config.type !== 'self_hosted')
      throw invalidRequest(
        `environment ${environmentId} is not self_hosted; only self-hosted environments take keys`,
        {
          errorCode: 'environment_not_self_hosted',
        },
      );
  }
}
