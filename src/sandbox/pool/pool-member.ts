import type { SandboxSpec } from '../../core/ports/sandbox.js';
import type { RunningSandbox } from '../managed-driver.js';
import type { PrespawnedShell } from './prespawned-shell.js';

/** A started sandbox waiting for a session: its own layer, cgroup, network and egress. */
export interface PoolMember {
  readonly id: string;
  readonly key: string;
  readonly running: RunningSandbox;
  /** Its way in, with the session's shell already started. */
  readonly inside: PrespawnedShell;
  /** Memory its processes held when last measured (its cgroup), or the estimate. */
  memoryBytes: number;
}

/** How the pool starts and ends members (the driver's own start path). */
export interface PoolMembers {
  start(spec: SandboxSpec): Promise<RunningSandbox>;
  /** Memory a member's processes hold now; undefined when the driver cannot tell (no cgroups). */
  memory(running: RunningSandbox): Promise<number | undefined>;
  /** Stops the member and removes its files. */
  discard(id: string, running: RunningSandbox | undefined): Promise<void>;
}

export interface PoolStats {
  /** Members waiting now. */
  ready: number;
  starting: number;
  memoryBytes: number;
  handedOut: number;
  /** First tool calls that found no member for their key. */
  misses: number;
  started: number;
  discarded: number;
  failed: number;
}
