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
}

export function parseSandboxPoolConfig(env: Env): SandboxPoolConfig {
  const size = parsePositive(env, 'PADDOCK_SANDBOX_POOL_SIZE', 2);
  if (!Number.isInteger(size))
    throw new Error(`PADDOCK_SANDBOX_POOL_SIZE must be a whole number, got ${JSON.stringify(size)}`);
  return {
    size,
    maxMemoryBytes: Math.round(parsePositive(env, 'PADDOCK_SANDBOX_POOL_MAX_MEMORY_MB', 256) * 1024 * 1024),
    demandWindowMs: parsePositive(env, 'PADDOCK_SANDBOX_POOL_DEMAND_WINDOW_MS', 10 * 60_000),
  };
}
