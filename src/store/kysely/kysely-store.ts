import type { Kysely } from 'kysely';
import type { Store } from '../../core/ports/store.js';
import { KyselyAgentVersionRepository } from './agent-version-repository.js';
import { KyselyDeploymentRunRepository } from './deployment-run-repository.js';
import { KyselyEnvironmentBuildRepository } from './environment-build-repository.js';
import { KyselyEventRepository } from './event-repository.js';
import { KyselyFileChunkRepository } from './file-chunk-repository.js';
import { KyselyFleetRepository } from './fleet-repository.js';
import { KyselyIdempotencyRepository } from './idempotency-repository.js';
import { KyselyLeaseRepository } from './lease-repository.js';
import { KyselyMemoryRepository } from './memory-repository.js';
import { KyselyMetaRepository } from './meta-repository.js';
import { KyselyResourceRepository } from './resource-repository.js';
import type { Database } from './schema.js';
import { KyselySecretRepository } from './secret-repository.js';
import {
  KyselyApiKeyRepository,
  KyselyAuditLogRepository,
  KyselyWorkspaceRepository,
} from './tenancy-repositories.js';
import { KyselyWebhookRepository } from './webhook-repository.js';
import { KyselyWorkspaceSnapshotRepository } from './workspace-snapshot-repository.js';

/**
 * A Store over any Kysely dialect; the dialect folders only build the Kysely instance. Every
 * transaction gets a store of its own, so repositories are built when first used, not all
 * seventeen for a transaction that touches two (the harness opens one per append, issue #21).
 */
export function createKyselyStore(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Store {
  const built: Partial<Record<keyof Store, unknown>> = {};
  const lazy = <T>(key: keyof Store, make: () => T): T => {
    if (!(key in built)) built[key] = make();
    return built[key] as T;
  };
  const store: Store = {
    dialect,
    get resources() {
      return lazy('resources', () => new KyselyResourceRepository(db, dialect));
    },
    get agentVersions() {
      return lazy('agentVersions', () => new KyselyAgentVersionRepository(db));
    },
    get secrets() {
      return lazy('secrets', () => new KyselySecretRepository(db));
    },
    get apiKeys() {
      return lazy('apiKeys', () => new KyselyApiKeyRepository(db));
    },
    get workspaces() {
      return lazy('workspaces', () => new KyselyWorkspaceRepository(db));
    },
    get auditLog() {
      return lazy('auditLog', () => new KyselyAuditLogRepository(db));
    },
    get events() {
      return lazy('events', () => new KyselyEventRepository(db, dialect));
    },
    get leases() {
      return lazy('leases', () => new KyselyLeaseRepository(db));
    },
    get fleet() {
      return lazy('fleet', () => new KyselyFleetRepository(db));
    },
    get meta() {
      return lazy('meta', () => new KyselyMetaRepository(db));
    },
    get fileChunks() {
      return lazy('fileChunks', () => new KyselyFileChunkRepository(db));
    },
    get workspaceSnapshots() {
      return lazy('workspaceSnapshots', () => new KyselyWorkspaceSnapshotRepository(db));
    },
    get idempotency() {
      return lazy('idempotency', () => new KyselyIdempotencyRepository(db));
    },
    get memories() {
      return lazy('memories', () => new KyselyMemoryRepository(db));
    },
    get environmentBuilds() {
      return lazy('environmentBuilds', () => new KyselyEnvironmentBuildRepository(db));
    },
    get webhooks() {
      return lazy('webhooks', () => new KyselyWebhookRepository(db, dialect));
    },
    get deploymentRuns() {
      return lazy('deploymentRuns', () => new KyselyDeploymentRunRepository(db));
    },
    async transaction(fn) {
      if (db.isTransaction) return fn(store);
      return db.transaction().execute((trx) => fn(createKyselyStore(trx, dialect)));
    },
    async close() {
      if (!db.isTransaction) await db.destroy();
    },
  };
  return store;
}
