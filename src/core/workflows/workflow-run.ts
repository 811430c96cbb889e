import type { WorkflowRunResult } from '../events/session-event.js';
import type { ResourceRecord } from '../ports/store.js';

/** A phase a run's plan declares (BetaManagedAgentsWorkflowRunPhase). */
export interface WorkflowPhase {
  id: string;
  name: string;
  description: string | null;
}

/**
 * A workflow run as Paddock keeps it: a `workflow_run` row of `resources` under its session. The
 * log holds what clients see (the `workflow_run.*` events); this row holds what the run needs
 * to resume after a crash: the program, and the journal of its answered calls (`threads`: the
 * thread each `agent()` call started, by call number; `logs`, by call number).
 */
export interface WorkflowRunDoc {
  id: string;
  session_id: string;
  name: string;
  description: string | null;
  phases: WorkflowPhase[];
  program: string;
  input: unknown;
  status: 'running' | 'ended';
  /** The run's own spend ceiling, a USD decimal string (at most the server's). */
  max_spend_usd: string;
  threads: Record<string, string>;
  logs: Array<{ call: number; message: string }>;
  /** The tool use that started the run (its thread gets told when the run ends). */
  started_by: string;
  created_at: string;
  ended_at: string | null;
  result: WorkflowRunResult | null;
  /** What the program returned (JSON), when it completed. */
  output: unknown;
  /** The run's list cost when it ended: the sum of its threads' own usage. */
  list_cost: { amount: string; currency: 'USD' } | null;
}

/** Server-wide limits on workflow runs (docs/workflows.md, PADDOCK_WORKFLOW_*). */
export interface WorkflowLimits {
  /** Runs that have not ended, per session; one more is refused with max_workflow_runs_error. */
  maxOpenRunsPerSession: number;
  /** Threads one run may create; one more ends the run with thread_limit_error. */
  maxThreadsPerRun: number;
  /** Wall time from creation; past it the run ends with timeout_error. */
  maxWallMs: number;
  /** The most a run may spend (USD decimal string); a run may ask for less. */
  maxSpendUsd: string;
  /** Largest program source, in bytes. */
  maxProgramBytes: number;
  /** How often a running run looks at its threads (replies, spend, the session's state). */
  pollMs: number;
}

export const DEFAULT_WORKFLOW_LIMITS: WorkflowLimits = {
  maxOpenRunsPerSession: 2,
  maxThreadsPerRun: 25,
  maxWallMs: 60 * 60_000,
  maxSpendUsd: '10',
  maxProgramBytes: 64 * 1024,
  pollMs: 250,
};

export function workflowRunRecord(doc: WorkflowRunDoc): ResourceRecord<WorkflowRunDoc> {
  return {
    kind: 'workflow_run',
    id: doc.id,
    parentId: doc.session_id,
    name: null,
    status: doc.status,
    refId: null,
    refVersion: null,
    createdAt: doc.created_at,
    updatedAt: doc.ended_at ?? doc.created_at,
    archivedAt: null,
    doc,
  };
}
