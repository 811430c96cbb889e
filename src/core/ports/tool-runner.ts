import type { CatalogEntry, ExtraTool } from '../harness/tool-catalog.js';
import type { HarnessSession } from './harness-sessions.js';
import type { ToolOutcome } from './sandbox.js';

export interface ToolCall {
  session: HarnessSession;
  toolUseId: string;
  entry: CatalogEntry;
  input: Record<string, unknown>;
  signal: AbortSignal;
}

/** Runs one tool call wherever it belongs: sandbox, server, MCP server, another thread. */
export interface ToolRunner {
  run(call: ToolCall): Promise<ToolOutcome>;
  /** Tools contributed per session beyond the agent's own (MCP, delegation). */
  extraTools?(session: HarnessSession): Promise<ExtraTool[]>;
  /** End of a turn: side effects deferred during it (sandbox outputs → Files) are completed. */
  endTurn?(session: HarnessSession): Promise<void>;
}
