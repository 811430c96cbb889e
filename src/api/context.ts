import type { AgentService } from '../core/agents/agent-service.js';
import type { ApiKeyService } from '../core/api-keys.js';
import type { CredentialResolver } from '../core/credentials.js';
import type { DeploymentRunner } from '../core/deployments/deployment-runner.js';
import type { DeploymentService } from '../core/deployments/deployment-service.js';
import type { SessionThread } from '../core/domain/session.js';
import type { DreamService } from '../core/dreams/dream-service.js';
import type { EnvironmentBuilds } from '../core/environments/environment-builds.js';
import type { EnvironmentService } from '../core/environments/environment-service.js';
import type { FileService } from '../core/files/file-service.js';
import type { IdempotencyService } from '../core/idempotency/idempotency-service.js';
import type { MemoryService } from '../core/memory/memory-service.js';
import type { MemoryStoreService } from '../core/memory/memory-store-service.js';
import type { MemoryVersionService } from '../core/memory/memory-version-service.js';
import type { MeteringService } from '../core/metering/metering-service.js';
import type { DeploymentRunRepository } from '../core/ports/deployment-run-store.js';
import type { SessionRunner } from '../core/ports/session-runner.js';
import type { EventLog } from '../core/sessions/event-log.js';
import type { SessionCommands } from '../core/sessions/session-commands.js';
import type { SessionEventService } from '../core/sessions/session-event-service.js';
import type { SessionResourceService } from '../core/sessions/session-resource-service.js';
import type { SessionService } from '../core/sessions/session-service.js';
import type { SkillService } from '../core/skills/skill-service.js';
import type { TunnelCertificateService } from '../core/tunnels/tunnel-certificate-service.js';
import type { TunnelService } from '../core/tunnels/tunnel-service.js';
import type { UserProfileLinks } from '../core/user-profiles/user-profile-links.js';
import type { UserProfileService } from '../core/user-profiles/user-profile-service.js';
import type { CredentialService } from '../core/vaults/credential-service.js';
import type { VaultService } from '../core/vaults/vault-service.js';
import type { WebhookEndpointService } from '../core/webhooks/webhook-endpoint-service.js';
import type { EnvironmentKeyService } from '../core/work/environment-keys.js';
import type { WorkQueue } from '../core/work/work-queue.js';
import type { AuditLog } from '../core/workspaces/audit-log.js';
import type { RequestRate } from '../core/workspaces/request-rate.js';
import type { WorkspaceService } from '../core/workspaces/workspace-service.js';

/**
 * What the HTTP layer needs from the core. Built by the composition root
 * (src/compose/); routes only ever talk to these services.
 */
export interface AppContext {
  /** /v1/sessions/{id}/resources */
  sessionResources: SessionResourceService;
  /** Child threads: archiving terminates one. */
  threads: { archive(sessionId: string, threadId: string): Promise<SessionThread> };
  apiKeys: ApiKeyService;
  /** Resolves any presented credential: API key, environment key or sessions token (spec §6.1). */
  auth: CredentialResolver;
  /** Self-hosted environments: their work queue and the keys their workers use. */
  work: WorkQueue;
  environmentKeys: EnvironmentKeyService;
  agents: AgentService;
  environments: EnvironmentService;
  /** Environment package builds: GET /v1/environments/{id}/build (a Paddock extension). */
  environmentBuilds?: EnvironmentBuilds | undefined;
  vaults: VaultService;
  credentials: CredentialService;
  files: FileService;
  /** /v1/memory_stores: stores, their memories and memory versions. */
  memoryStores: MemoryStoreService;
  memories: MemoryService;
  memoryVersions: MemoryVersionService;
  /** Webhook endpoints and their delivery log (core/webhooks/). */
  webhooks: WebhookEndpointService;
  /** /v1/skills: skills and their versions (docs/skills.md). */
  skills?: SkillService | undefined;
  /** /v1/dreams: background jobs that reorganize a memory store (docs/dreams.md). */
  dreams?: DreamService | undefined;
  /** /v1/tunnels and their CA certificates (docs/tunnels.md). */
  tunnels?: { tunnels: TunnelService; certificates: TunnelCertificateService } | undefined;
  /** /v1/user_profiles and their enrollment and action URLs (docs/user-profiles.md). */
  userProfiles?: { profiles: UserProfileService; links: UserProfileLinks } | undefined;
  sessions: SessionService;
  /** /v1/deployments and /v1/deployment_runs (src/core/deployments/); absent: 404 as before. */
  deployments?: DeploymentService | undefined;
  deploymentRunner?: DeploymentRunner | undefined;
  deploymentRuns?: Pick<DeploymentRunRepository, 'get' | 'list'> | undefined;
  /** Client writes to sessions and what they set in motion (harness signals, self-hosted work). */
  sessionCommands: SessionCommands;
  sessionEvents: SessionEventService;
  /** The session event log (appends, reads, live tails); the harness appends through it too. */
  events: EventLog;
  /**
   * Hears about new session input; `sessionCommands` signals through it at call time, so an
   * embedder (or a test recording the signals) may replace it.
   */
  runner: SessionRunner;
  /** Usage, list cost, budgets and reports. */
  metering: MeteringService;
  /** Tenancy: workspaces, their request rate, and the audit log of admin actions. */
  workspaces: WorkspaceService;
  requestRate: RequestRate;
  /** Idempotency-Key on POSTs (api/idempotency.ts). */
  idempotency: IdempotencyService;
  audit: AuditLog;
}
