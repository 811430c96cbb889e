import type { HarnessSession } from '../ports/harness-sessions.js';
import type { SandboxDriver, SandboxSpec, ToolOutcome } from '../ports/sandbox.js';
import { SANDBOX_TOOL_NAMES } from '../ports/sandbox.js';
import type { ExtraTool, ToolCall, ToolRunner } from '../ports/tool-runner.js';
import type { WebSearchBackend, WebSearchUserLocation } from '../ports/web-search-backend.js';
import { type WebFetchOptions, webFetch } from '../tools/web-fetch.js';
import { webSearch } from '../tools/web-search.js';
import { usesSandboxTools } from './expected-sandboxes.js';

const SANDBOX_TOOLS = new Set<string>(SANDBOX_TOOL_NAMES);
/** Sessions expected ahead that are remembered (a session is expected once per node, not per turn). */
const MAX_EXPECTED = 4_096;

export interface DefaultToolRunnerOptions {
  sandboxes: SandboxDriver;
  /** Builds the sandbox spec (network policy, packages, mounts) for a session. */
  sandboxSpec(session: HarnessSession): Promise<SandboxSpec>;
  webFetch: Omit<WebFetchOptions, 'allowedDomains' | 'blockedDomains'>;
  webSearch?: WebSearchBackend | undefined;
  /** Loads a session for expect(); without it nothing is expected ahead. */
  loadSession?(sessionId: string): Promise<HarnessSession | undefined>;
  /** Further runners by tool kind (MCP, delegation), added by later capabilities. */
  delegates?: Partial<Record<'mcp' | 'delegation', ToolRunner>>;
}

/**
 * Sandbox tools run in the session's sandbox (provisioned lazily, at the
 * first call); web tools run on the server; other kinds go to their runner.
 */
export class DefaultToolRunner implements ToolRunner {
  private readonly expected = new Set<string>();
  /** Specs built by expect(), for the primary thread's first sandbox call this turn: built once, not twice. */
  private readonly expectedSpecs = new Map<string, Promise<SandboxSpec | undefined>>();

  constructor(private readonly options: DefaultToolRunnerOptions) {}

  /** A session with no sandbox here yet: its spec goes to the driver, which may start one ahead. */
  expect(sessionId: string): void {
    const { sandboxes, loadSession } = this.options;
    if (!sandboxes.expect || !loadSession || this.expected.has(sessionId)) return;
    if (sandboxes.provisioned?.(sessionId)) return;
    if (this.expected.size >= MAX_EXPECTED) this.expected.clear();
    if (this.expectedSpecs.size >= MAX_EXPECTED) this.expectedSpecs.clear();
    this.expected.add(sessionId);
    const expectSandbox = async () => {
      const session = await loadSession(sessionId);
      // Self-hosted sessions' sandbox tools run on the customer's worker, not here.
      if (!session || session.environmentType === 'self_hosted' || !usesSandboxTools(session.agent)) return;
      const spec = await this.options.sandboxSpec(session);
      sandboxes.expect?.(spec);
      return spec;
    };
    // A hint: a session whose spec cannot be built now meets the same error at its first tool call.
    this.expectedSpecs.set(
      sessionId,
      expectSandbox().catch(() => undefined),
    );
  }

  async run(call: ToolCall): Promise<ToolOutcome> {
    const { entry, input, signal, session } = call;
    if (entry.kind === 'mcp' || entry.kind === 'delegation') {
      const delegate = this.options.delegates?.[entry.kind];
      if (!delegate) return unavailable(`${entry.kind} tools are not supported by this server`);
      return delegate.run(call);
    }
    if (entry.kind !== 'builtin')
      return unavailable(`tool ${entry.name} is run by the client, not the server`);
    if (SANDBOX_TOOLS.has(entry.name)) {
      // Building a spec reads the environment and the session; a provisioned sandbox needs neither.
      const sandbox =
        this.options.sandboxes.provisioned?.(session.id) ??
        (await this.options.sandboxes.acquire(await this.specFor(session, call.threadId)));
      return sandbox.runTool(entry.name, input, signal, { threadId: call.threadId });
    }
    const config = toolConfig(session, entry.name);
    if (entry.name === 'web_fetch') {
      return webFetch(
        input,
        {
          ...this.options.webFetch,
          allowedDomains: config?.['allowed_domains'] as string[] | undefined,
          blockedDomains: config?.['blocked_domains'] as string[] | undefined,
        },
        signal,
      );
    }
    if (entry.name === 'web_search') {
      return webSearch(
        input,
        this.options.webSearch,
        {
          allowedDomains: config?.['allowed_domains'] as string[] | undefined,
          blockedDomains: config?.['blocked_domains'] as string[] | undefined,
          userLocation: config?.['user_location'] as WebSearchUserLocation | null | undefined,
        },
        signal,
      );
    }
    return unavailable(`unknown built-in tool ${entry.name}`);
  }

  /** The spec expect() built at this turn's start (the primary's agent), else a new one. */
  private async specFor(session: HarnessSession, threadId: string | undefined): Promise<SandboxSpec> {
    const expected = threadId === undefined ? this.expectedSpecs.get(session.id) : undefined;
    this.expectedSpecs.delete(session.id);
    return (await expected) ?? this.options.sandboxSpec(session);
  }

  async endTurn(session: HarnessSession): Promise<void> {
    // Not kept past the turn it was built for: resources and credentials may change between turns.
    this.expectedSpecs.delete(session.id);
    await this.options.sandboxes.flushOutputs?.(session.id);
  }

  async endThread(sessionId: string, threadId: string): Promise<void> {
    this.options.sandboxes.provisioned?.(sessionId)?.closeThread?.(threadId);
  }

  async extraTools(session: HarnessSession, reserved: ReadonlySet<string>): Promise<ExtraTool[]> {
    const out: ExtraTool[] = [];
    for (const delegate of Object.values(this.options.delegates ?? {})) {
      if (delegate?.extraTools) out.push(...(await delegate.extraTools(session, reserved)));
    }
    return out;
  }
}

function unavailable(message: string): ToolOutcome {
  return { content: [{ type: 'text', text: message }], isError: true };
}

function toolConfig(session: HarnessSession, name: string): Record<string, unknown> | undefined {
  for (const tool of session.agent.tools) {
    if (tool.type === 'agent_toolset_20260401') return tool.configs.find((config) => config.name === name);
  }
  return undefined;
}
