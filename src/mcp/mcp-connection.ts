import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpServer } from '../core/domain/agent.js';
import type { OutboundFetch } from '../core/ports/outbound-http.js';
import type { ToolOutcome } from '../core/ports/sandbox.js';
import { scrubSecrets } from '../core/secret-scrub.js';
import type { ServerAuth } from './mcp-auth.js';
import { toResultBlocks } from './mcp-content.js';
import { addressRefused, describeError, failureKind, McpFailure } from './mcp-errors.js';
import type { McpToolInfo } from './mcp-tool-names.js';

export interface McpTimeouts {
  /** Connecting and listing tools. */
  connectMs: number;
  /** One tools/call; progress notifications extend it. */
  callMs: number;
}

/** A live Streamable HTTP session with one MCP server, and the tools it listed. */
export interface McpConnection {
  readonly tools: readonly McpToolInfo[];
  /** Calls a tool. Transport failures throw (raw, for the caller to classify); tool errors are outcomes. */
  call(remoteName: string, input: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome>;
  close(): Promise<void>;
}

/**
 * Connects and lists the tools. A 401 with an OAuth credential refreshes the
 * token and tries once more. Failures become an McpFailure whose message
 * names the server and holds no secret.
 */
export async function connectMcpServer(
  server: McpServer,
  auth: ServerAuth,
  timeouts: McpTimeouts,
  fetch: OutboundFetch,
): Promise<McpConnection> {
  try {
    try {
      return await attempt(server, auth, timeouts, fetch);
    } catch (error) {
      if (failureKind(error) !== 'authentication' || !auth.canRefresh()) throw error;
      await auth.refresh();
      return await attempt(server, auth, timeouts, fetch);
    }
  } catch (error) {
    const kind = failureKind(error);
    const what = kind === 'authentication' ? 'authenticate to' : 'connect to';
    const hint =
      kind === 'authentication' && !auth.hasCredential ? ' (no vault credential matches its URL)' : '';
    const refused = addressRefused(error)
      ? ' (the operator can allow it with PADDOCK_MCP_ALLOWED_PRIVATE_HOSTS)'
      : '';
    throw new McpFailure(
      kind,
      scrubSecrets(
        `could not ${what} MCP server ${server.name}${hint}: ${describeError(error)}${refused}`,
        auth.secrets,
      ),
    );
  }
}

async function attempt(
  server: McpServer,
  auth: ServerAuth,
  timeouts: McpTimeouts,
  fetch: OutboundFetch,
): Promise<McpConnection> {
  // Every request the SDK makes (POST, the SSE GET, DELETE) goes through the outbound client.
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: await auth.headers() },
    fetch,
  });
  const client = new Client({ name: 'paddock', version: '0.1.0' });
  try {
    await client.connect(transport, { timeout: timeouts.connectMs });
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout: timeouts.connectMs });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return {
      tools,
      async call(remoteName, input, signal) {
        const result = await client.callTool({ name: remoteName, arguments: input }, undefined, {
          signal,
          timeout: timeouts.callMs,
          resetTimeoutOnProgress: true,
        });
        const content = Array.isArray(result.content) ? result.content : [];
        return {
          content: toResultBlocks(content as Array<{ type: string }>, result.structuredContent),
          isError: result.isError === true,
        };
      },
      async close() {
        // Ending the server-side session is a courtesy; a dead server must not hold us up.
        await transport.terminateSession().catch(() => undefined);
        await client.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}
