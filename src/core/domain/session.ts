import type { AgentDefinition } from './agent.js';

/** The Session object as it goes on the wire (BetaManagedAgentsSession). */
export type SessionStatus = 'idle' | 'running' | 'rescheduling' | 'terminated';
export const SESSION_STATUSES: readonly SessionStatus[] = ['idle', 'running', 'rescheduling', 'terminated'];

/** An agent as one thread runs it: the definition pinned to a version, no roster. */
export type ThreadAgent = Omit<AgentDefinition, 'metadata' | 'multiagent'> & {
  type: 'agent';
  id: string;
  version: number;
};

/** An agent the agent defined itself when it spawned a thread; not saved (BetaManagedAgentsInlineAgent). */
export type InlineAgent = Omit<ThreadAgent, 'type' | 'id' | 'version'> & { type: 'inline' };

/** Rosters in a session snapshot hold full thread-agent definitions, not references. */
export type SessionMultiagent =
  | { type: 'coordinator'; agents: Array<ThreadAgent | { type: 'advisor'; model: string }> }
  | {
      type: 'multiagent_20261001';
      advisor: { type: 'enabled'; model: string } | { type: 'disabled' };
      subagents: SessionDelegation;
      workflows: SessionDelegation;
    };

export type SessionDelegation =
  | { type: 'enabled'; inline_agents: { type: 'enabled' | 'disabled' }; predefined_agents: ThreadAgent[] }
  | { type: 'disabled' };

/** The resolved agent a session runs: a snapshot taken at creation (and at agent updates). */
export type SessionAgent = ThreadAgent & { multiagent: SessionMultiagent | null };

export interface BudgetLimit {
  type: 'limit';
  max_list_cost: { amount: string; currency: string };
}

export type RepositoryCheckout = { type: 'branch'; name: string } | { type: 'commit'; sha: string };

export interface GitHubRepositoryResource {
  type: 'github_repository';
  id: string;
  url: string;
  mount_path: string;
  checkout: RepositoryCheckout | null;
  created_at: string;
  updated_at: string;
}

export interface FileResource {
  type: 'file';
  id: string;
  file_id: string;
  mount_path: string;
  created_at: string;
  updated_at: string;
}

/** A memory store mounted at /mnt/memory/<slug> (src/core/memory/); name and description as attached. */
export interface MemoryStoreResource {
  type: 'memory_store';
  /** Ours, so the session's resources endpoints can address it; the SDK's type has none. */
  id: string;
  memory_store_id: string;
  access: 'read_write' | 'read_only';
  instructions: string | null;
  name: string;
  description: string;
  mount_path: string;
  created_at: string;
  updated_at: string;
}

export type SessionResource = GitHubRepositoryResource | FileResource | MemoryStoreResource;

export interface SessionUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  [extra: string]: unknown;
}

export interface OutcomeEvaluation {
  type: 'outcome_evaluation';
  outcome_id: string;
  description: string;
  iteration: number;
  result: string;
  explanation: string | null;
  completed_at: string | null;
}

export interface Session {
  type: 'session';
  id: string;
  title: string | null;
  status: SessionStatus;
  agent: SessionAgent;
  environment_id: string;
  resources: SessionResource[];
  vault_ids: string[];
  metadata: Record<string, string>;
  budget: BudgetLimit | null;
  usage: SessionUsage;
  stats: { active_seconds: number; duration_seconds: number };
  outcome_evaluations: OutcomeEvaluation[];
  created_at: string;
  updated_at: string;
  archived_at: string | null;
  /** The deployment whose run created the session (src/core/deployments/); absent otherwise. */
  deployment_id?: string | null;
}

/** BetaManagedAgentsSessionThread. Sessions get a primary thread at creation. */
export interface SessionThread {
  type: 'session_thread';
  id: string;
  session_id: string;
  parent_thread_id: string | null;
  agent: ThreadAgent | { type: 'advisor'; model: string } | InlineAgent;
  status: SessionStatus;
  stats: { active_seconds?: number; duration_seconds?: number; startup_seconds?: number } | null;
  usage: Record<string, unknown> | null;
  workflow_run_id: string | null;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export const emptyUsage = (): SessionUsage => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
});

/** Input that makes a session unable to accept anything more. */
export const isTerminated = (session: Session): boolean =>
  session.status === 'terminated' || session.archived_at !== null;

/** A new thread of a session: the primary one (no parent) or a worker. */
export function newSessionThread(fields: {
  id: string;
  sessionId: string;
  parentThreadId: string | null;
  agent: SessionThread['agent'];
  now: string;
}): SessionThread {
  return {
    type: 'session_thread',
    id: fields.id,
    session_id: fields.sessionId,
    parent_thread_id: fields.parentThreadId,
    agent: fields.agent,
    status: 'idle',
    stats: null,
    usage: null,
    workflow_run_id: null,
    created_at: fields.now,
    updated_at: fields.now,
    archived_at: null,
  };
}

/** A thread's roster name: the agent's name, or `anthropic.advisor` for an advisor entry (spec §4.4). */
export function agentNameOf(agent: SessionThread['agent']): string {
  return agent.type === 'advisor' ? 'anthropic.advisor' : (agent as ThreadAgent).name;
}
