import type { AgentReference } from '../domain/agent.js';
import type { BudgetLimit } from '../domain/session.js';
import type { InitialEventInput } from '../schemas/session-events.js';
import type { SessionResourceParam } from '../schemas/sessions.js';

/** The wire objects of /v1/deployments and /v1/deployment_runs (SDK 1.10.0, resources/beta/). */

export type DeploymentStatus = 'active' | 'paused';

export type DeploymentPausedReason = { type: 'manual' } | { type: 'error'; error: { type: string } };

export interface CronScheduleConfig {
  type: 'cron';
  expression: string;
  timezone: string;
}

export interface Deployment {
  type: 'deployment';
  id: string;
  name: string;
  description: string | null;
  agent: AgentReference;
  environment_id: string;
  initial_events: InitialEventInput[];
  /** As given minus write-only credentials (a repository's authorization_token). */
  resources: Omit<SessionResourceParam, 'authorization_token'>[];
  vault_ids: string[];
  budget: BudgetLimit | null;
  metadata: Record<string, string>;
  schedule: (CronScheduleConfig & { last_run_at: string | null; upcoming_runs_at: string[] }) | null;
  status: DeploymentStatus;
  paused_reason: DeploymentPausedReason | null;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

/**
 * What the `deployment` resource row holds: the wire object without its computed schedule
 * fields, plus when the schedule last started counting (creation, a schedule change, an
 * unpause): ticks before it are never fired, so an unpause does not backfill.
 */
export type StoredDeployment = Omit<Deployment, 'schedule'> & {
  schedule: CronScheduleConfig | null;
  schedule_since: string | null;
};

export type TriggerContext = { type: 'schedule'; scheduled_at: string } | { type: 'manual' };

export interface RunError {
  type: string;
  message: string;
}

/**
 * Paddock's run lifecycle (not in the SDK's type, which records session creation only):
 * `started` once the session exists, `succeeded` when it goes idle with `end_turn`, `failed`
 * when creation fails or the session stops otherwise, `skipped` for a scheduled tick that
 * fired while the previous run's session was still running (no session was created).
 */
export type RunStatus = 'started' | 'succeeded' | 'failed' | 'skipped';

export interface DeploymentRun {
  type: 'deployment_run';
  id: string;
  deployment_id: string;
  agent: AgentReference;
  trigger_context: TriggerContext;
  session_id: string | null;
  error: RunError | null;
  created_at: string;
  status: RunStatus;
  /** Why the run failed or was skipped, in words; null while started and on success. */
  status_reason: string | null;
  /** The session's list cost so far (final once the run ends); null without a session. */
  cost: { amount: string; currency: 'USD' } | null;
  ended_at: string | null;
}
