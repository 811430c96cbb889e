import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { SandboxLimits } from '../ports/sandbox.js';
import type { Cursor, ResourcePage, Store } from '../ports/store.js';
import { applyMetadataPatch } from '../schemas/common.js';
import type { EnvironmentCreateInput, EnvironmentUpdateInput } from '../schemas/environments.js';
import { type Environment, type EnvironmentDocument, toWire } from './environment.js';
import type { EnvironmentBuilds } from './environment-builds.js';
import { resolveConfig } from './environment-config.js';
import { environmentLimits } from './environment-limits.js';

export interface EnvironmentListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  includeArchived?: boolean | undefined;
}

/** Environments: reusable runtime templates. Names need not be unique (as in the hosted API). */
export class EnvironmentService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    /** The largest sandbox limits an environment may ask for (PADDOCK_SANDBOX_MAX_*). */
    private readonly limitCeilings?: SandboxLimits | undefined,
    /** Builds packages ahead of sessions when the config is written (environment-builds.ts). */
    private readonly builds?: Pick<EnvironmentBuilds, 'requested'> | undefined,
  ) {}

  async create(input: EnvironmentCreateInput): Promise<Environment> {
    environmentLimits(input.metadata ?? {}, this.limitCeilings);
    const { config, repositories } = resolveConfig(input.config);
    const now = toTimestamp(this.clock.now());
    const document: EnvironmentDocument = {
      type: 'environment',
      id: this.ids.next('environment'),
      name: input.name,
      description: input.description ?? null,
      config,
      metadata: input.metadata ?? {},
      scope: input.scope ?? 'organization',
      created_at: now,
      updated_at: now,
      archived_at: null,
      ...(repositories.length > 0 ? { _repositories: repositories } : {}),
    };
    await this.store.resources.insert({ ...recordFields(document), doc: document });
    this.builds?.requested(document);
    return toWire(document);
  }

  async retrieve(id: string): Promise<Environment> {
    return toWire(await this.getDocument(id));
  }

  /** The stored form, including the private repository list; for the sessions engine. */
  async getDocument(id: string): Promise<EnvironmentDocument> {
    const record = await this.store.resources.get<EnvironmentDocument>('environment', id);
    if (!record) throw environmentNotFound(id);
    return record.doc;
  }

  async update(id: string, input: EnvironmentUpdateInput): Promise<Environment> {
    const name = input.name ?? undefined;
    const updated = await this.store.transaction(async (tx) => {
      const record = await tx.resources.getForUpdate<EnvironmentDocument>('environment', id);
      if (!record) throw environmentNotFound(id);
      const current = record.doc;
      if (current.archived_at) {
        throw invalidRequest(`environment ${id} is archived and cannot be updated`, {
          errorCode: 'environment_archived',
        });
      }
      const { config, repositories } = resolveConfig(input.config, {
        config: current.config,
        repositories: current._repositories ?? [],
      });
      const { _repositories: _previous, ...rest } = current;
      const document: EnvironmentDocument = {
        ...rest,
        name: name ?? current.name,
        description: input.description === undefined ? current.description : input.description,
        config,
        // Environments alone also treat "" as a delete (spec §1.8).
        metadata: applyMetadataPatch(current.metadata, input.metadata, true),
        scope: input.scope ?? current.scope,
        updated_at: toTimestamp(this.clock.now()),
        ...(repositories.length > 0 ? { _repositories: repositories } : {}),
      };
      environmentLimits(document.metadata, this.limitCeilings);
      await tx.resources.update({ ...recordFields(document), doc: document });
      return document;
    });
    this.builds?.requested(updated);
    return toWire(updated);
  }

  async archive(id: string): Promise<Environment> {
    // The row is held until commit: an update racing the archive cannot un-archive it.
    return this.store.transaction(async (tx) => {
      const record = await tx.resources.getForUpdate<EnvironmentDocument>('environment', id);
      if (!record) throw environmentNotFound(id);
      const current = record.doc;
      if (current.archived_at) return toWire(current);
      const now = toTimestamp(this.clock.now());
      const document: EnvironmentDocument = { ...current, archived_at: now, updated_at: now };
      await tx.resources.update({ ...recordFields(document), doc: document });
      return toWire(document);
    });
  }

  async delete(id: string): Promise<{ id: string; type: 'environment_deleted' }> {
    const deleted = await this.store.resources.delete('environment', id);
    if (!deleted) throw environmentNotFound(id);
    return { id, type: 'environment_deleted' };
  }

  list(options: EnvironmentListOptions): Promise<ResourcePage<EnvironmentDocument>> {
    return this.store.resources.list<EnvironmentDocument>({
      kind: 'environment',
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      includeArchived: options.includeArchived,
    });
  }
}

const environmentNotFound = (id: string) => notFound('Environment', id, 'environment_not_found');

function recordFields(environment: Environment) {
  return {
    kind: 'environment' as const,
    id: environment.id,
    parentId: null,
    // The row's name column is unique per kind (work items rely on it); environment names are not
    // unique in the hosted API, so the name lives in the document only.
    name: null,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: environment.created_at,
    updatedAt: environment.updated_at,
    archivedAt: environment.archived_at,
  };
}
