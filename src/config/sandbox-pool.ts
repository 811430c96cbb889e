import type { Env } from './config.js';
import { parsePositive } from './parse-env.js';

/** The warm sandbox pool (docs/environments.md, "Warm sandbox pool"; decision 0026). */
export interface SandboxPoolConfig {
  /** Started sandboxes kept ready per environment in use (PADDOCK_SANDBOX_POOL_SIZE, default 2); 0 disables the pool. */
  size: number;
  /** Memory all waiting pool members may hold together, bytes (PADDOCK_SANDBOX_POOL_MAX_MEMORY_MB, default 256). */
  maxMemoryBytes: number;
  /**
   * How far back first tool calls count as demand (PADDOCK_SANDBOX_POOL_DEMAND_WINDOW_MS, default
   * 10 minutes): an environment gets as many members as it had first tool calls in the last minute
   * (at least 1, at most `size`), and none once it had none in this window.
   */
  demandWindowMs: number;
  /**
   * Sandboxes a `serve`/`worker` node starts right after its warm-up, one per expected kind
   * (PADDOCK_SANDBOX_POOL_PREFILL, default 4; 0 off): a new default environment's, then the
   * environments of running sessions and of sessions created in the last day.
   */
  prefill: number;
}

function wholeNumber(env: Env, name: string, fallback: number): number {
  const value = parsePositive(env, name, fallback);
  if (!Number.isInteger(value))
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  return value;
}

export function parseSandboxPoolConfig(env: Env): SandboxPoolConfig {
  return {
    size: wholeNumber(env, 'PADDOCK_SANDBOX_POOL_SIZE', 2),
    maxMemoryBytes: Math.round(parsePositive(env, 'PADDOCK_SANDBOX_POOL_MAX_MEMORY_MB', 256) * 1024 * 1024),
    demandWindowMs: parsePositive(env, 'PADDOCK_SANDBOX_POOL_DEMAND_WINDOW_MS', 10 * 60_000),
    prefill: wholeNumber(env, 'PADDOCK_SANDBOX_POOL_PREFILL', 4),
  };
}
