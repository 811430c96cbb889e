import type { Env } from './config.js';
import { parsePositive } from './parse-env.js';

/**
 * Quiet time after which `paddock serve` and `paddock worker` run one full garbage collection to
 * give the young generation back (PADDOCK_IDLE_GC_MS, default 5 s; 0 turns it off; decision 0028).
 * Under 5 s V8 still counts the last requests' allocations and keeps its young generation grown.
 */
export function parseIdleGcMs(env: Env): number {
  return parsePositive(env, 'PADDOCK_IDLE_GC_MS', 5_000);
}
