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

/** A Store over any Kysely dialect; the dialect folders only build the Kysely instance. */
export function createKyselyStore(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Store {
  const store: Store = {
    dialect,
    resources: new KyselyResourceRepository(db, dialect),
    agentVersions: new KyselyAgentVersionRepository(db),
    secrets: new KyselySecretRepository(db),
    apiKeys: new KyselyApiKeyRepository(db),
    workspaces: new KyselyWorkspaceRepository(db),
    auditLog: new KyselyAuditLogRepository(db),
    events: new KyselyEventRepository(db, dialect),
    leases: new KyselyLeaseRepository(db),
    fleet: new KyselyFleetRepository(db),
    meta: new KyselyMetaRepository(db),
    fileChunks: new KyselyFileChunkRepository(db),
    workspaceSnapshots: new KyselyWorkspaceSnapshotRepository(db),
    idempotency: new KyselyIdempotencyRepository(db),
    memories: new KyselyMemoryRepository(db),
    environmentBuilds: new KyselyEnvironmentBuildRepository(db),
    webhooks: new KyselyWebhookRepository(db, dialect),
    deploymentRuns: new KyselyDeploymentRunRepository(db),
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
