import type { ToolResultBlock } from '../events/content.js';

/**
 * The hands. A sandbox is cattle: provisioned lazily at a session's first
 * tool call, stopped when idle, restarted with the same files. Secrets never
 * enter it. Drivers live in src/sandbox/.
 */
export interface NetworkPolicy {
  type: 'unrestricted' | 'limited';
  allowed_hosts?: string[];
  allow_package_managers?: boolean;
  allow_mcp_servers?: boolean;
  /** The session agent's `mcp_servers` URLs; `allow_mcp_servers` opens their hosts (not on the wire). */
  mcpServerUrls?: string[];
}

export interface SandboxLimits {
  memoryBytes: number;
  pids: number;
  cpus: number;
  /** The session's kernel-enforced disk quota (overlay upper, work dir, staged resources). */
  diskBytes?: number;
  /** Persistent `bash` shells at once: the primary thread's and one per other thread using bash. */
  shells?: number;
}

export interface SandboxSpec {
  sessionId: string;
  environmentId: string;
  network: NetworkPolicy;
  packages?: Partial<Record<'apt' | 'npm' | 'pip' | 'cargo' | 'gem' | 'go', string[]>>;
  limits?: Partial<SandboxLimits>;
  /** Files to mount read-only: host path → sandbox path. */
  mounts?: Array<{ hostPath: string; sandboxPath: string; readOnly: boolean }>;
  /** Git repositories cloned on the host at provisioning and mounted writable. */
  repositories?: SandboxRepository[];
  /**
   * `environment_variable` vault credentials. Host-side only: the sandbox's
   * environment gets `name=placeholder`, and the driver hands `value` to its
   * host-side egress proxy, which substitutes it for the placeholder in
   * requests to `hosts`. The value itself never enters the sandbox.
   */
  secrets?: SandboxSecret[];
  /**
   * Memory stores as directories: the driver refreshes each from `source` before every tool call
   * and hands the agent's changes back after it (read-only mounts are bound read-only).
   */
  memoryMounts?: SandboxMemoryMount[];
}

export interface SandboxMemoryMount {
  sandboxPath: string;
  readOnly: boolean;
  source: MemoryMountSource;
}

/** A file the agent changed under a memory mount since the last refresh. */
export interface MemoryFileChange {
  /** Relative to the mount, without a leading "/". */
  path: string;
  /** The content_sha256 the file had at the last refresh; null for a new file. */
  baseSha256: string | null;
  /** The new content; null when the file was removed. */
  content: string | null;
}

/** The store behind a memory mount (src/core/memory/memory-mount-source.ts). */
export interface MemoryMountSource {
  /** The store's memories now: path relative to the mount → content. */
  read(): Promise<Map<string, string>>;
  /** Writes the changes as new versions; returns one line per change that could not be applied. */
  write(changes: readonly MemoryFileChange[]): Promise<string[]>;
}

export interface SandboxSecret {
  /** The environment variable the sandbox sees (`^[A-Za-z_][A-Za-z0-9_]*$`). */
  name: string;
  /** What the sandbox sees instead of the value; never derived from it. */
  placeholder: string;
  /** The real value: for the host-side proxy only. */
  value: string;
  /** Substitute in request header values. */
  header: boolean;
  /** Substitute in request bodies. */
  body: boolean;
  /** Target hosts it is substituted for: bare names, IPv4 addresses or `*.` wildcards; `any` for all. */
  hosts: 'any' | string[];
}

export interface SandboxRepository {
  /** The resource's URL; only its path is used, appended to the configured GitHub base URL. */
  url: string;
  sandboxPath: string;
  checkout: { type: 'branch'; name: string } | { type: 'commit'; sha: string } | null;
  /** Used by the host-side git process only; it never enters the sandbox. */
  authorizationToken?: string | undefined;
}

export interface ToolOutcome {
  content: ToolResultBlock[];
  isError: boolean;
}

/** Who a sandbox tool call is for. */
export interface ToolCallContext {
  /** The session thread calling; undefined for the primary thread. Each thread has its own shell. */
  threadId?: string | undefined;
}

export interface Sandbox {
  readonly sessionId: string;
  /** Runs one built-in tool (bash, read, write, edit, glob, grep) inside the sandbox. */
  runTool(
    name: string,
    input: Record<string, unknown>,
    signal: AbortSignal,
    context?: ToolCallContext,
  ): Promise<ToolOutcome>;
  /** Ends a thread's own shell (the thread ended); its next bash call, if any, starts a new one. */
  closeThread?(threadId: string): void;
  /** Stops processes; the session's files are kept for the next start. */
  stop(): Promise<void>;
  /** Hands files written under /mnt/session/outputs over as Files API objects (at the end of a turn). */
  flushOutputs?(): Promise<void>;
}

export interface SandboxDriver {
  readonly name: string;
  /** Returns the session's live sandbox, starting it (lazily) if needed. */
  acquire(spec: SandboxSpec): Promise<Sandbox>;
  /** Stops the session's sandbox and deletes its files. */
  destroy(sessionId: string): Promise<void>;
  /** The session's sandbox if it is already provisioned (no spec needed to reuse it). */
  provisioned?(sessionId: string): Sandbox | undefined;
  /** Collects a live sandbox's new outputs; a no-op when the session has none running. */
  flushOutputs?(sessionId: string): Promise<void>;
  /**
   * A sandbox like this one is likely to be acquired soon (a session's first turn began on this
   * node, or the node just started): a driver that starts sandboxes ahead may start one now.
   * Returns at once and never throws; acquire() stays the only way to get a sandbox.
   */
  expect?(spec: SandboxSpec): void;
  /** Saves every live sandbox's changed files to its workspace snapshot (a draining node, before it leaves). */
  snapshotAll?(): Promise<void>;
  /**
   * Builds what an environment's sandboxes start from (its package layer) ahead of any session,
   * under the environment's network policy; undefined when this driver builds nothing.
   * Never throws for a failed build: the result says so, with the log's tail (no host paths).
   */
  prepareEnvironment?(
    spec: EnvironmentBuildSpec,
    /** `ahead`: nobody waits for it; a driver may refuse (throw) rather than first build its base. */
    options?: { ahead?: boolean },
  ): Promise<EnvironmentBuildResult | undefined>;
  close(): Promise<void>;
}

/** What an environment build depends on: its packages, under its network policy. */
export type EnvironmentBuildSpec = Pick<SandboxSpec, 'environmentId' | 'network' | 'packages'>;

export interface EnvironmentBuildResult {
  ok: boolean;
  /** The last lines of the build log. */
  log: string;
}

/** The built-in tools a sandbox runs; web_fetch and web_search run on the server. */
export const SANDBOX_TOOL_NAMES = ['bash', 'read', 'write', 'edit', 'glob', 'grep'] as const;
