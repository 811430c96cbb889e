import { createHash } from 'node:crypto';
import type { SandboxConfig } from '../../config/config.js';
import type { SandboxLimits, SandboxSpec } from '../../core/ports/sandbox.js';

/** A pool member's id: a session-id-shaped name no session has (see pooledLayerIds in leftovers.ts). */
export const POOL_ID_PREFIX = 'pool-';

/**
 * Why a session cannot take a pre-started sandbox, or undefined when it can. Everything named here
 * is fixed when bwrap starts (bind mounts, the proxy's secrets), so such sessions start fresh.
 */
export function ineligible(spec: SandboxSpec): string | undefined {
  if ((spec.mounts ?? []).length > 0) return 'file resources or skills (bound at launch)';
  if ((spec.repositories ?? []).length > 0) return 'repositories (cloned and bound at launch)';
  if ((spec.memoryMounts ?? []).length > 0) return 'memory stores (bound at launch)';
  if ((spec.secrets ?? []).length > 0) return 'vault secrets (given to the egress proxy at launch)';
  return undefined;
}

/**
 * What makes two sandboxes interchangeable before any session is in them, as a hash: the network
 * policy (with the agent's MCP hosts when `allow_mcp_servers` opens them), the packages and the
 * limits as the driver applies them. Environments configured alike share members; an updated
 * environment gets a new key.
 */
export function poolKey(spec: SandboxSpec, limits: SandboxLimits): string {
  const network = {
    ...spec.network,
    allowed_hosts: [...(spec.network.allowed_hosts ?? [])].sort(),
    mcpServerUrls: spec.network.allow_mcp_servers ? [...(spec.network.mcpServerUrls ?? [])].sort() : [],
  };
  const packages = Object.fromEntries(
    Object.entries(spec.packages ?? {})
      .filter(([, list]) => (list ?? []).length > 0)
      .map(([manager, list]) => [manager, [...(list ?? [])].sort()])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
  const sortedLimits = Object.fromEntries(Object.entries(limits).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256')
    .update(JSON.stringify({ network, packages, limits: sortedLimits }))
    .digest('hex')
    .slice(0, 16);
}

/** The spec a member starts with: what the key covers, and nothing of any session. */
export function memberSpec(spec: SandboxSpec, memberId: string): SandboxSpec {
  return {
    sessionId: memberId,
    environmentId: spec.environmentId,
    network: { ...spec.network },
    ...(spec.packages ? { packages: spec.packages } : {}),
    ...(spec.limits ? { limits: spec.limits } : {}),
  };
}

/** The limits a spec's sandbox gets: the server's defaults under the environment's own. */
export function effectiveLimits(config: Pick<SandboxConfig, 'limits'>, spec: SandboxSpec): SandboxLimits {
  const own = Object.fromEntries(
    Object.entries(spec.limits ?? {}).filter(([, value]) => value !== undefined),
  );
  return { ...config.limits, ...own };
}
