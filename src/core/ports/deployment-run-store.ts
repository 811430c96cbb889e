/**
 * Deployment runs (src/core/deployments/), in their own table: a scheduled run's
 * (deployment_id, scheduled_at) is unique there, which is how a tick fires exactly once
 * across a fleet: every node may try to record it, one insert wins.
 */
import type { DeploymentRun, RunStatus } from '../deployments/deployment.js';
import type { TimeRange } from './store.js';

export interface DeploymentRunRow {
  id: string;
  deploymentId: string;
  workspaceId: string;
  triggerType: 'schedule' | 'manual';
  /** The tick (UTC) of a scheduled run; null for manual runs. */
  scheduledAt: string | null;
  sessionId: string | null;
  status: RunStatus;
  hasError: boolean;
  createdAt: string;
  updatedAt: string;
  doc: DeploymentRun;
}

export interface DeploymentRunQuery {
  deploymentId?: string | undefined;
  triggerType?: 'schedule' | 'manual' | undefined;
  hasError?: boolean | undefined;
  createdAt?: TimeRange | undefined;
  /** Newest first; continue after this (createdAt, id). */
  before?: { createdAt: string; id: string } | undefined;
  limit: number;
}

export interface DeploymentRunRepository {
  /** False when a run for the same (deployment, scheduled_at) exists: another node fired the tick. */
  insert(row: DeploymentRunRow): Promise<boolean>;
  get(id: string): Promise<DeploymentRunRow | undefined>;
  /** Compare-and-set on status: false when another node moved the run on first. */
  update(row: DeploymentRunRow, expectedStatus: RunStatus): Promise<boolean>;
  list(query: DeploymentRunQuery): Promise<DeploymentRunRow[]>;
  /** The newest run of a deployment with one of these statuses (any trigger). */
  latest(
    deploymentId: string,
    options: { statuses?: readonly RunStatus[]; triggerType?: 'schedule' | 'manual' },
  ): Promise<DeploymentRunRow | undefined>;
  /** Runs in `status` across every deployment, oldest first (the scheduler's reconcile pass). */
  listByStatus(status: RunStatus, limit: number): Promise<DeploymentRunRow[]>;
}
