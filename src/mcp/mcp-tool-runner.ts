import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../core/clock.js';
import type { McpServer } from '../core/domain/agent.js';
import type { DraftEvent } from '../core/events/session-event.js';
import type { HarnessSession } from '../core/ports/harness-sessions.js';
import type { McpCredentialSource, OAuthTokens } from '../core/ports/mcp-credentials.js';
import type { OutboundFetch } from '../core/ports/outbound-http.js';
import type { ToolOutcome } from '../core/ports/sandbox.js';
import type { ExtraTool, ToolCall, ToolRunner } from '../core/ports/tool-runner.js';
import { scrubSecrets } from '../core/secret-scrub.js';
import { ServerAuth } from './mcp-auth.js';
import { connectMcpServer, type McpConnection, type McpTimeouts } from './mcp-connection.js';
import { describeError, failureKind, McpFailure, rejectedBeforeRunning } from './mcp-errors.js';
import { buildMcpTools, mcpToolsetFor } from './mcp-tool-names.js';

export interface McpToolRunnerOptions {
  credentials: McpCredentialSource;
  /** The outbound client for MCP servers and OAuth token endpoints (the operator's MCP address policy). */
  fetch: OutboundFetch;
  /**
   * The client for a server reached through a tunnel (core/tunnels/tunnel-routes.ts): undefined
   * when the URL names no tunnel; throws (a message naming why) when it names one that cannot carry it.
   */
  tunnelFetch?: ((sessionId: string, url: string) => Promise<OutboundFetch | undefined>) | undefined;
  clock: Clock;
  /** Appends to the session's log under the harness's lease (session.error for failing servers). */
  appendEvents(sessionId: string, drafts: DraftEvent[]): Promise<unknown>;
  timeouts?: Partial<McpTimeouts> | undefined;
  /** A server that failed is not tried again for this long when listing tools (a call always tries). */
  retryAfterMs?: number | undefined;
  /** Connections of a session unused this long are closed. */
  idleMs?: number | undefined;
}

interface ServerSlot {
  server: McpServer;
  connection?: McpConnection | undefined;
  connecting?: Promise<McpConnection | undefined> | undefined;
  failedAt?: number | undefined;
  secrets: Set<string>;
}

interface SessionSlot {
  /** The session's MCP servers and vaults; a change (session update) starts afresh. */
  fingerprint: string;
  servers: Map<string, ServerSlot>;
  lastUsed: number;
}

/**
 * Runs `mcp` tools: one cached connection per (session, server), opened when
 * the session first lists tools. A server that cannot be reached or
 * authenticated is reported as a `session.error` and its tools are left
 * out; the session goes on without them and the server is tried again later.
 */
export class McpToolRunner implements ToolRunner {
  private readonly sessions = new Map<string, SessionSlot>();
  private readonly refreshes = new Map<string, Promise<OAuthTokens>>();
  private readonly timeouts: McpTimeouts;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: McpToolRunnerOptions) {
    this.timeouts = { connectMs: 15_000, callMs: 300_000, ...options.timeouts };
    const idleMs = options.idleMs ?? 15 * 60_000;
    this.sweeper = setInterval(() => void this.sweep(idleMs), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  async extraTools(session: HarnessSession, reserved: ReadonlySet<string>): Promise<ExtraTool[]> {
    const slot = await this.slotFor(session);
    if (!slot) return [];
    await Promise.all([...slot.servers.values()].map((server) => this.ensure(session, slot, server, false)));
    const listed = [...slot.servers.values()].flatMap((server) =>
      server.connection ? [{ serverName: server.server.name, tools: server.connection.tools }] : [],
    );
    return buildMcpTools(session.agent, listed, reserved);
  }

  async run(call: ToolCall): Promise<ToolOutcome> {
    const { session, entry, input, signal } = call;
    const slot = await this.slotFor(session);
    const server = slot?.servers.get(entry.mcpServerName ?? '');
    const remoteName = entry.remoteName ?? entry.name;
    if (!slot || !server) {
      return failed(`MCP server ${entry.mcpServerName ?? '?'} is not configured for this session`);
    }
    for (let attempt = 1; ; attempt++) {
      const connection = await this.ensure(session, slot, server, true);
      if (!connection) return failed(`MCP server ${server.server.name} is unavailable (see session.error)`);
      try {
        return await connection.call(remoteName, input, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        const message = scrubSecrets(
          `MCP tool ${remoteName} failed: ${describeError(error)}`,
          server.secrets,
        );
        // A JSON-RPC error is the server answering: the connection is fine.
        if (error instanceof McpError && error.code !== ErrorCode.ConnectionClosed) return failed(message);
        await this.drop(server);
        // Only a request the server never acted on is sent again: tools need not be idempotent.
        if (attempt === 1 && rejectedBeforeRunning(error)) continue;
        await this.report(session.id, server, new McpFailure(failureKind(error), message));
        return failed(message);
      }
    }
  }

  /** Closes every connection (server shutdown). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const slots = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(slots.map((slot) => this.closeSlot(slot)));
  }

  /** The session's cache entry; undefined (and nothing kept) when it uses no MCP server. */
  private async slotFor(session: HarnessSession): Promise<SessionSlot | undefined> {
    const servers = session.agent.mcp_servers.filter((server) => mcpToolsetFor(session.agent, server.name));
    const fingerprint = JSON.stringify([servers, session.vaultIds]);
    let slot = this.sessions.get(session.id);
    if (slot && slot.fingerprint !== fingerprint) {
      this.sessions.delete(session.id);
      await this.closeSlot(slot);
      slot = undefined;
    }
    if (servers.length === 0) return undefined;
    if (!slot) {
      slot = { fingerprint, servers: new Map(), lastUsed: 0 };
      for (const server of servers) slot.servers.set(server.name, { server, secrets: new Set() });
      this.sessions.set(session.id, slot);
    }
    slot.lastUsed = this.options.clock.now();
    return slot;
  }

  private async fetchFor(sessionId: string, server: McpServer): Promise<OutboundFetch> {
    if (!this.options.tunnelFetch) return this.options.fetch;
    try {
      return (await this.options.tunnelFetch(sessionId, server.url)) ?? this.options.fetch;
    } catch (error) {
      throw new McpFailure(
        'connection',
        `could not connect to MCP server ${server.name}: ${describeError(error)}`,
      );
    }
  }

  private ensure(
    session: HarnessSession,
    slot: SessionSlot,
    server: ServerSlot,
    force: boolean,
  ): Promise<McpConnection | undefined> {
    if (server.connection) return Promise.resolve(server.connection);
    if (server.connecting) return server.connecting;
    const retryAfterMs = this.options.retryAfterMs ?? 30_000;
    const now = this.options.clock.now();
    if (!force && server.failedAt !== undefined && now - server.failedAt < retryAfterMs) {
      return Promise.resolve(undefined);
    }
    server.connecting = (async () => {
      let auth: ServerAuth | undefined;
      try {
        auth = await ServerAuth.find(
          this.options.credentials,
          session.vaultIds,
          server.server.url,
          this.options.clock,
          this.refreshes,
          this.options.fetch,
        );
        const fetch = await this.fetchFor(session.id, server.server);
        const connection = await connectMcpServer(server.server, auth, this.timeouts, fetch);
        for (const secret of auth.secrets) server.secrets.add(secret);
        if (this.sessions.get(session.id) !== slot) {
          // The session was updated while we connected: this connection is for the old config.
          await connection.close();
          return undefined;
        }
        server.connection = connection;
        server.failedAt = undefined;
        return connection;
      } catch (error) {
        for (const secret of auth?.secrets ?? []) server.secrets.add(secret);
        server.failedAt = this.options.clock.now();
        await this.report(session.id, server, error);
        return undefined;
      } finally {
        server.connecting = undefined;
      }
    })();
    return server.connecting;
  }

  private async report(sessionId: string, server: ServerSlot, error: unknown): Promise<void> {
    const kind = failureKind(error);
    const message = scrubSecrets(
      error instanceof McpFailure ? error.message : describeError(error),
      server.secrets,
    );
    try {
      await this.options.appendEvents(sessionId, [
        {
          type: 'session.error',
          error: {
            type:
              kind === 'authentication' ? 'mcp_authentication_failed_error' : 'mcp_connection_failed_error',
            message,
            retry_status: { type: 'retrying' },
            mcp_server_name: server.server.name,
          },
        },
      ]);
    } catch {
      // The harness lost its lease on this session; the new owner will meet the same failure and report it.
    }
  }

  private async drop(server: ServerSlot): Promise<void> {
    const connection = server.connection;
    server.connection = undefined;
    await connection?.close();
  }

  private async closeSlot(slot: SessionSlot): Promise<void> {
    await Promise.all([...slot.servers.values()].map((server) => this.drop(server)));
  }

  private async sweep(idleMs: number): Promise<void> {
    const cutoff = this.options.clock.now() - idleMs;
    for (const [sessionId, slot] of this.sessions) {
      if (slot.lastUsed >= cutoff) continue;
      this.sessions.delete(sessionId);
      await this.closeSlot(slot);
    }
  }
}

function failed(message: string): ToolOutcome {
  return { content: [{ type: 'text', text: message }], isError: true };
}
