import type { WorkflowRunResult } from '../events/session-event.js';
import type { ResourceRecord, Store } from '../ports/store.js';

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
  /**
   * When the agent asked to stop the run (`stop_workflow_run`), on whichever node: the node that
   * drives the run reads it from the row at every poll, and a driver resuming after a crash too.
   * Absent on rows written before it existed.
   */
  stop_requested_at?: string | null;
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

/**
 * A read-modify-write of the run's row under a row lock (Postgres; SQLite runs one transaction at
 * a time), so the driver's journal writes, a stop asked on another node and the run's end cannot
 * overwrite each other. `change` edits the row's current doc; returns that doc, or undefined when
 * the row is gone or `change` returns false (nothing written).
 */
export function updateWorkflowRun(
  store: Store,
  runId: string,
  change: (doc: WorkflowRunDoc) => boolean | undefined,
): Promise<WorkflowRunDoc | undefined> {
  return store.transaction(async (tx) => {
    const record = await tx.resources.getForUpdate<WorkflowRunDoc>('workflow_run', runId);
    if (!record) return undefined;
    const doc = structuredClone(record.doc);
    if (change(doc) === false) return doc;
    await tx.resources.update(workflowRunRecord(doc));
    return doc;
  });
}

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
