import type { MemoryStoreResource, SessionResource } from '../domain/session.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { MemoryStore } from '../memory/memory.js';
import { memoryMountPath } from '../memory/memory-mount.js';
import { MEMORY_LIMITS } from '../memory/memory-schemas.js';
import type { Store } from '../ports/store.js';
import type { SessionResourceParam } from '../schemas/sessions.js';
import { assertSameWorkspace } from '../workspaces/same-workspace.js';
import { githubRepositoryPath } from './github-repository-url.js';
import { FILE_MOUNT_ROOT, REPOSITORY_MOUNT_ROOT, resolveMountPath } from './mount-path.js';

/** Seals write-only secrets (repository tokens) before they reach the store. */
export interface SecretSealer {
  seal(ownerId: string, plaintext: string): string;
}

export interface BuiltResource {
  resource: SessionResource;
  /** Write-only: stored sealed under the resource id, never returned. */
  authorizationToken?: string | undefined;
}

/** Turns resource params into wire resources with `sesrsc_` ids and default mount paths. */
export async function buildResources(
  params: readonly SessionResourceParam[],
  deps: { store: Store; ids: IdGenerator; now: string },
  where = 'resources',
): Promise<BuiltResource[]> {
  const built: BuiltResource[] = [];
  for (const [index, param] of params.entries()) {
    const at = `${where}[${index}]`;
    switch (param.type) {
      case 'file': {
        const file = await deps.store.resources.get('file', param.file_id);
        if (!file) throw notFound('File', param.file_id);
        assertSameWorkspace(`${at}.file_id`, file);
        built.push({
          resource: {
            type: 'file',
            id: deps.ids.next('resource'),
            file_id: param.file_id,
            mount_path: resolveMountPath(
              param.mount_path,
              FILE_MOUNT_ROOT,
              param.file_id,
              `${at}.mount_path`,
            ),
            created_at: deps.now,
            updated_at: deps.now,
          },
        });
        break;
      }
      case 'github_repository': {
        const path = githubRepositoryPath(param.url);
        if ('invalid' in path) throw invalidRequest(`${at}.url: ${path.invalid}`);
        built.push({
          resource: {
            type: 'github_repository',
            id: deps.ids.next('resource'),
            url: param.url,
            mount_path: resolveMountPath(
              param.mount_path,
              REPOSITORY_MOUNT_ROOT,
              repositoryName(param.url),
              `${at}.mount_path`,
            ),
            checkout: param.checkout ?? null,
            created_at: deps.now,
            updated_at: deps.now,
          },
          authorizationToken: param.authorization_token,
        });
        break;
      }
      case 'memory_store': {
        const record = await deps.store.resources.get<MemoryStore>('memory_store', param.memory_store_id);
        if (!record) throw notFound('Memory store', param.memory_store_id);
        assertSameWorkspace(`${at}.memory_store_id`, record);
        if (record.doc.archived_at)
          throw invalidRequest(`${at}.memory_store_id: memory store ${record.id} is archived`);
        const taken = new Set(built.map((entry) => entry.resource.mount_path));
        built.push({
          resource: {
            type: 'memory_store',
            id: deps.ids.next('resource'),
            memory_store_id: record.id,
            access: param.access ?? 'read_write',
            instructions: param.instructions ?? null,
            name: record.doc.name,
            description: record.doc.description,
            mount_path: memoryMountPath(record.doc.name, taken),
            created_at: deps.now,
            updated_at: deps.now,
          },
        });
        break;
      }
    }
  }
  const stores = built.filter((entry) => entry.resource.type === 'memory_store');
  if (stores.length > MEMORY_LIMITS.storesPerSession)
    throw invalidRequest(
      `${where}: at most ${MEMORY_LIMITS.storesPerSession} memory stores per session (got ${stores.length})`,
    );
  if (
    new Set(stores.map((entry) => (entry.resource as MemoryStoreResource).memory_store_id)).size <
    stores.length
  )
    throw invalidRequest(`${where}: a memory store can be attached to a session once`);
  return built;
}

/** Two resources cannot be mounted at one path. */
export function assertDistinctMounts(resources: readonly SessionResource[], where = 'resources'): void {
  const seen = new Set<string>();
  for (const [index, resource] of resources.entries()) {
    if (seen.has(resource.mount_path)) {
      throw invalidRequest(`${where}[${index}].mount_path: ${resource.mount_path} is already mounted`);
    }
    seen.add(resource.mount_path);
  }
}

export async function storeTokens(store: Store, sealer: SecretSealer, built: readonly BuiltResource[]) {
  for (const { resource, authorizationToken } of built) {
    if (authorizationToken !== undefined) {
      await store.secrets.put(resource.id, sealer.seal(resource.id, authorizationToken));
    }
  }
}

function repositoryName(url: string): string {
  const segments = new URL(url).pathname.split('/').filter(Boolean);
  return (segments[segments.length - 1] ?? 'repository').replace(/\.git$/, '');
}
