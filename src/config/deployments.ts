import type { Env } from './config.js';
import { parsePositive } from './parse-env.js';

/** The deployment scheduler on harness nodes (docs/deployments.md). */
export interface SchedulerConfig {
  /** How often each node looks for due ticks and finished runs (PADDOCK_SCHEDULER_INTERVAL_MS, default 5000). */
  intervalMs: number;
  /**
   * A tick missed while every node was down is still fired (once, the most recent one) if it is
   * at most this old (PADDOCK_SCHEDULE_STARTING_DEADLINE_SECONDS, default 300); older ones are skipped.
   */
  startingDeadlineMs: number;
}

export function parseSchedulerConfig(env: Env): SchedulerConfig {
  return {
    intervalMs: Math.max(100, parsePositive(env, 'PADDOCK_SCHEDULER_INTERVAL_MS', 5000)),
    startingDeadlineMs: parsePositive(env, 'PADDOCK_SCHEDULE_STARTING_DEADLINE_SECONDS', 300) * 1000,
  };
}
