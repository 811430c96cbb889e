import type { HarnessSession } from '../core/ports/harness-sessions.js';
import type { ToolOutcome } from '../core/ports/sandbox.js';
import type { ToolCall, ToolRunner } from '../core/ports/tool-runner.js';
import type { McpToolRunner } from './mcp-tool-runner.js';

type RunnerOptions = ConstructorParameters<typeof McpToolRunner>[0];

/**
 * The MCP SDK is large; most sessions use no MCP server. The runner (and the
 * SDK) is imported the first time a session with MCP servers needs it.
 */
export function createLazyMcpRunner(options: RunnerOptions): ToolRunner & { close(): Promise<void> } {
  let runner: Promise<McpToolRunner> | undefined;
  const load = () => {
    runner ??= import('./mcp-tool-runner.js').then(({ McpToolRunner: Runner }) => new Runner(options));
    return runner;
  };
  return {
    async run(call: ToolCall): Promise<ToolOutcome> {
      return (await load()).run(call);
    },
    async extraTools(session: HarnessSession, reserved: ReadonlySet<string>) {
      if (session.agent.mcp_servers.length === 0) return [];
      return (await load()).extraTools(session, reserved);
    },
    async close() {
      if (runner) await (await runner).close();
    },
  };
}
