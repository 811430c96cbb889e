import { existsSync } from 'node:fs';
import type { Env } from './config.js';
import { nonEmpty, parseBoolean, parsePositive } from './parse-env.js';

/** Workflow runs' limits and runtime (docs/workflows.md). */
export interface WorkflowConfig {
  /** Open (not ended) runs per session (PADDOCK_WORKFLOW_MAX_OPEN_RUNS, default 2). */
  maxOpenRunsPerSession: number;
  /** Threads one run may create (PADDOCK_WORKFLOW_MAX_THREADS, default 25). */
  maxThreadsPerRun: number;
  /** A run's wall time from its creation (PADDOCK_WORKFLOW_MAX_WALL_MS, default 1 hour). */
  maxWallMs: number;
  /** The most one run may spend, USD (PADDOCK_WORKFLOW_MAX_SPEND_USD, default 10). */
  maxSpendUsd: string;
  /** Largest program, bytes (PADDOCK_WORKFLOW_MAX_PROGRAM_BYTES, default 65536). */
  maxProgramBytes: number;
  /** How often a run looks at its threads' replies and its limits (PADDOCK_WORKFLOW_POLL_MS, default 250). */
  pollMs: number;
  /** V8 heap of a program's process, MiB (PADDOCK_WORKFLOW_HEAP_MB, default 128). */
  heapMb: number;
  /**
   * The cgroup of each program's process tree (when cgroups are writable): memory in MiB
   * (PADDOCK_WORKFLOW_MEMORY_MB, default 512: the heap plus Node's own and off-heap buffers),
   * processes and threads (PADDOCK_WORKFLOW_PIDS, default 64: Node alone runs about 12) and CPUs
   * (PADDOCK_WORKFLOW_CPUS, default 1). PADDOCK_WORKFLOW_CGROUP=false runs programs without one.
   */
  cgroup: { memoryMb: number; pids: number; cpus: number } | null;
  /**
   * The bubblewrap that confines programs: the `bwrap` on PATH on Linux, unless
   * PADDOCK_WORKFLOW_BWRAP=false; null runs them under Node's permission model only.
   */
  bwrap: string | null;
}

const USD = /^\d+(\.\d{1,2})?$/;

export function parseWorkflowConfig(env: Env): WorkflowConfig {
  const maxSpendUsd = nonEmpty(env['PADDOCK_WORKFLOW_MAX_SPEND_USD']) ?? '10';
  if (!USD.test(maxSpendUsd))
    throw new Error(
      `PADDOCK_WORKFLOW_MAX_SPEND_USD must be a USD amount such as 10 or 2.50, got ${maxSpendUsd}`,
    );
  return {
    maxOpenRunsPerSession: parsePositive(env, 'PADDOCK_WORKFLOW_MAX_OPEN_RUNS', 2),
    maxThreadsPerRun: parsePositive(env, 'PADDOCK_WORKFLOW_MAX_THREADS', 25),
    maxWallMs: parsePositive(env, 'PADDOCK_WORKFLOW_MAX_WALL_MS', 60 * 60_000),
    maxSpendUsd,
    maxProgramBytes: parsePositive(env, 'PADDOCK_WORKFLOW_MAX_PROGRAM_BYTES', 64 * 1024),
    pollMs: parsePositive(env, 'PADDOCK_WORKFLOW_POLL_MS', 250),
    heapMb: parsePositive(env, 'PADDOCK_WORKFLOW_HEAP_MB', 128),
    cgroup: parseBoolean('PADDOCK_WORKFLOW_CGROUP', env['PADDOCK_WORKFLOW_CGROUP'], true)
      ? {
          memoryMb: parsePositive(env, 'PADDOCK_WORKFLOW_MEMORY_MB', 512),
          pids: parsePositive(env, 'PADDOCK_WORKFLOW_PIDS', 64),
          cpus: parsePositive(env, 'PADDOCK_WORKFLOW_CPUS', 1),
        }
      : null,
    bwrap: parseBoolean('PADDOCK_WORKFLOW_BWRAP', env['PADDOCK_WORKFLOW_BWRAP'], true)
      ? findBwrap(env)
      : null,
  };
}

function findBwrap(env: Env): string | null {
  if (process.platform !== 'linux') return null;
  for (const dir of (env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    if (dir && existsSync(`${dir}/bwrap`)) return `${dir}/bwrap`;
  }
  return null;
}
