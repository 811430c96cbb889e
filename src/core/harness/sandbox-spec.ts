import type { EnvironmentService } from '../environments/environment-service.js';
import type { FileService } from '../files/file-service.js';
import { memoryMountSource } from '../memory/memory-mount-source.js';
import type { MemoryService } from '../memory/memory-service.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import type { SandboxLimits, SandboxSpec } from '../ports/sandbox.js';
import type { Store } from '../ports/store.js';
import type { SessionService } from '../sessions/session-service.js';
import { sessionSkills } from '../skills/roster-skills.js';
import type { SkillReferences } from '../skills/skill-references.js';
import { sandboxSecrets } from '../vaults/sandbox-secrets.js';
import type { VaultService } from '../vaults/vault-service.js';
import { environmentSandboxSpec } from './expected-sandboxes.js';

export interface SandboxSpecDeps {
  store: Store;
  environments: EnvironmentService;
  files: FileService;
  sessions: SessionService;
  vaults: VaultService;
  /** Opens sealed repository tokens for host-side clones; without it repositories are cloned anonymously. */
  secrets?: { open(ownerId: string, sealed: string): string } | undefined;
  /** The operator's ceilings (PADDOCK_SANDBOX_MAX_*). */
  maxLimits: SandboxLimits;
  /** Memory stores attached to sessions are mounted through it; without it they are not mounted. */
  memories?: MemoryService | undefined;
  /** The session's pinned skills, mounted read-only under /mnt/skills (core/skills/skill-references.ts). */
  skills?: Pick<SkillReferences, 'mounts'> | undefined;
}

/**
 * What sandbox a session gets: its environment's network, packages and
 * limits, its file and repository resources, and its `environment_variable`
 * credentials (substituted by the sandbox's egress proxy, never inside it).
 */
export function sessionSandboxSpec(deps: SandboxSpecDeps): (session: HarnessSession) => Promise<SandboxSpec> {
  const openToken = async (resourceId: string) => {
    const sealed = await deps.store.secrets.get(resourceId);
    return sealed === undefined || !deps.secrets ? undefined : deps.secrets.open(resourceId, sealed);
  };
  return async (session) => ({
    ...(await baseSpec(session, deps, openToken)),
    ...(await environmentSecrets(session, deps.vaults)),
  });
}

async function baseSpec(
  session: HarnessSession,
  deps: SandboxSpecDeps,
  openToken: (resourceId: string) => Promise<string | undefined>,
): Promise<SandboxSpec> {
  const environment = await deps.environments.getDocument(session.environmentId);
  const spec = environmentSandboxSpec(environment, session.id, deps.maxLimits);
  // The egress policy opens these hosts only when the environment sets allow_mcp_servers.
  if (spec.network.type === 'limited')
    spec.network = { ...spec.network, mcpServerUrls: session.agent.mcp_servers.map((server) => server.url) };
  const full = await deps.sessions.retrieve(session.id);
  const mounts: NonNullable<SandboxSpec['mounts']> = [];
  const repositories: NonNullable<SandboxSpec['repositories']> = [];
  const memoryMounts: NonNullable<SandboxSpec['memoryMounts']> = [];
  for (const resource of full.resources) {
    if (resource.type === 'github_repository') {
      repositories.push({
        url: resource.url,
        sandboxPath: resource.mount_path,
        checkout: resource.checkout,
        authorizationToken: await openToken(resource.id),
      });
      continue;
    }
    // Memory stores are not files: directories synced with the store around each tool call.
    if (resource.type === 'memory_store') {
      if (deps.memories)
        memoryMounts.push({
          sandboxPath: resource.mount_path,
          readOnly: resource.access === 'read_only',
          source: memoryMountSource(deps.memories, resource.memory_store_id, session.id),
        });
      continue;
    }
    mounts.push({
      hostPath: await deps.files.hostPath(resource.file_id),
      sandboxPath: resource.mount_path,
      readOnly: true,
    });
  }
  // Every thread runs in this one sandbox, so the roster agents' skills are mounted beside the
  // primary's (whichever thread starts it). Two skills with one name would share a mount path:
  // the first listed (the primary's first) wins.
  const skillMounts = deps.skills ? await deps.skills.mounts(sessionSkills(full.agent)) : [];
  for (const mount of skillMounts)
    if (!mounts.some((taken) => taken.sandboxPath === mount.sandboxPath)) mounts.push(mount);
  if (mounts.length > 0) spec.mounts = mounts;
  if (repositories.length > 0) spec.repositories = repositories;
  if (memoryMounts.length > 0) spec.memoryMounts = memoryMounts;
  return spec;
}

/** The session's `environment_variable` credentials, substituted by the sandbox's egress proxy. */
async function environmentSecrets(
  session: HarnessSession,
  vaults: VaultService,
): Promise<Pick<SandboxSpec, 'secrets'>> {
  if (session.vaultIds.length === 0) return {};
  const secrets = sandboxSecrets(session.id, await vaults.resolveCredentials(session.vaultIds));
  return secrets.length > 0 ? { secrets } : {};
}
