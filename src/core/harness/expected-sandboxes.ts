import type { Session } from '../domain/session.js';
import type { EnvironmentDocument } from '../environments/environment.js';
import { environmentLimits } from '../environments/environment-limits.js';
import type { SandboxLimits, SandboxSpec } from '../ports/sandbox.js';
import type { Store } from '../ports/store.js';
import type { AgentSnapshot } from './agent-snapshot.js';

/**
 * What an environment fixes in its sessions' sandboxes: network policy, packages and limits (under
 * the operator's ceilings). Shared by the sessions' specs (sandbox-spec.ts) and the start-up
 * prefill, so a sandbox started ahead for an environment matches its sessions' (pool-key.ts).
 */
export function environmentSandboxSpec(
  environment: EnvironmentDocument,
  sessionId: string,
  maxLimits: SandboxLimits,
): SandboxSpec {
  const limits = environmentLimits(environment.metadata, undefined);
  // Checked against the ceilings when written; an operator may have lowered them since.
  for (const key of ['memoryBytes', 'pids', 'cpus', 'diskBytes', 'shells'] as const) {
    const wanted = limits[key];
    if (wanted !== undefined) limits[key] = Math.min(wanted, maxLimits[key] ?? wanted);
  }
  const spec: SandboxSpec = {
    sessionId,
    environmentId: environment.id,
    network: { type: 'unrestricted' },
    limits,
  };
  if (environment.config.type === 'cloud') {
    spec.network = environment.config.networking;
    const { type: _type, ...packages } = environment.config.packages;
    spec.packages = packages;
  }
  return spec;
}

/** Whether the agent can call a sandbox tool at all (bash, read, write, edit, glob, grep). */
export function usesSandboxTools(agent: Pick<AgentSnapshot, 'tools'>): boolean {
  return agent.tools.some(
    (tool) =>
      tool.type === 'agent_toolset_20260401' &&
      (tool.default_config.enabled || tool.configs.some((config) => config.enabled === true)),
  );
}

/** Sessions created this long ago still make their environment "recently used" at start-up. */
const RECENT_MS = 24 * 60 * 60_000;
/** Sessions looked at, per query; the prefill wants a handful of environments, not an inventory. */
const LOOKED_AT = 100;

/**
 * The sandboxes a node starting up expects first (issue #21: no cold first turn): a new
 * environment's with the default configuration (what a fresh user's first session runs), then the
 * environments of running sessions and of sessions created in the last day, newest first; `count`
 * in all. Ids are `prefill-<n>`: no session has such an id.
 */
export async function prefillSpecs(deps: {
  store: Store;
  environment: (id: string) => Promise<EnvironmentDocument>;
  maxLimits: SandboxLimits;
  count: number;
  now: number;
}): Promise<SandboxSpec[]> {
  if (deps.count <= 0) return [];
  const specs: SandboxSpec[] = [
    { sessionId: 'prefill-0', environmentId: '', network: { type: 'unrestricted' }, limits: {} },
  ];
  const query = { kind: 'session', order: 'desc', limit: LOOKED_AT } as const;
  const running = await deps.store.resources.list<Session>({
    ...query,
    statuses: ['running', 'rescheduling'],
  });
  const recent = await deps.store.resources.list<Session>({
    ...query,
    createdAt: { gte: new Date(deps.now - RECENT_MS).toISOString() },
  });
  const seen = new Set<string>();
  for (const record of [...running.items, ...recent.items]) {
    if (specs.length >= deps.count) break;
    const id = record.doc.environment_id;
    if (seen.has(id)) continue;
    seen.add(id);
    const environment = await deps.environment(id).catch(() => undefined);
    if (!environment || environment.archived_at || environment.config.type !== 'cloud') continue;
    if (!usesSandboxTools(record.doc.agent)) continue;
    specs.push(environmentSandboxSpec(environment, `prefill-${specs.length}`, deps.maxLimits));
  }
  return specs;
}
