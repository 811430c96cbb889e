import type { PermissionPolicy } from '../schemas/common.js';
import type { HarnessSession } from './harness-sessions.js';
import type { ModelToolDefinition } from './model-provider.js';
import type { ToolOutcome } from './sandbox.js';

export type ToolKind = 'builtin' | 'custom' | 'mcp' | 'delegation';

export interface CatalogEntry {
  kind: ToolKind;
  name: string;
  policy: PermissionPolicy;
  /** For MCP tools: which server serves it, and its name there. */
  mcpServerName?: string;
  remoteName?: string;
}

/** Extra tools contributed per session: MCP servers' tools, a coordinator's delegation tools. */
export interface ExtraTool {
  entry: CatalogEntry;
  definition: ModelToolDefinition;
}

export interface ToolCall {
  session: HarnessSession;
  toolUseId: string;
  entry: CatalogEntry;
  input: Record<string, unknown>;
  signal: AbortSignal;
  /** The session thread that made the call; undefined for the primary thread. */
  threadId?: string | undefined;
}

/** Runs one tool call wherever it belongs: sandbox, server, MCP server, another thread. */
export interface ToolRunner {
  run(call: ToolCall): Promise<ToolOutcome>;
  /**
   * Tools contributed per session beyond the agent's own (MCP, delegation). `reserved` holds the
   * names the agent's own tools take (the naming contract: an extra tool must not reuse one).
   */
  extraTools?(session: HarnessSession, reserved: ReadonlySet<string>): Promise<ExtraTool[]>;
  /** End of a turn: side effects deferred during it (sandbox outputs → Files) are completed. */
  endTurn?(session: HarnessSession): Promise<void>;
  /**
   * This node took the session to drive a turn: what its tools will need may start now (a sandbox
   * ahead of the first tool call, while the model answers). Returns at once, never throws.
   */
  expect?(sessionId: string): void;
  /** A session thread ended (idle or archived): what it held in the sandbox (its shell) is freed. */
  endThread?(sessionId: string, threadId: string): Promise<void>;
}
