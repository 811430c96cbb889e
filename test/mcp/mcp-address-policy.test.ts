import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { systemClock } from '../../src/core/clock.js';
import type { DraftEvent } from '../../src/core/events/session-event.js';
import { McpToolRunner } from '../../src/mcp/mcp-tool-runner.js';
import { createOutboundFetch } from '../../src/outbound/outbound-fetch.js';
import { type RunningServer, startEverythingServer } from './mcp-servers.js';
import { mcpSession } from './mcp-session.js';

/** A session whose agent uses one MCP server (the reference server, on 127.0.0.1). */
const sessionFor = (url: string) =>
  mcpSession(`sesn_${Math.random().toString(36).slice(2)}`, url, 'everything', 'MCP user');

/** The MCP runner as the server wires it, with the operator's policy from the environment. */
function runnerFor(env: Record<string, string>) {
  const config = loadConfig(env);
  const events: DraftEvent[] = [];
  const runner = new McpToolRunner({
    credentials: { resolve: async () => [], saveOAuthTokens: async () => undefined },
    clock: systemClock,
    fetch: createOutboundFetch({
      allowPrivate: config.allowPrivateNetworks,
      allowedPrivateHosts: config.mcpAllowedPrivateHosts,
    }),
    appendEvents: async (_sessionId, drafts) => {
      events.push(...drafts);
    },
  });
  return { runner, events };
}

describe('MCP servers under the address policy', () => {
  let everything: RunningServer;
  before(async () => {
    everything = await startEverythingServer();
  });
  after(async () => everything?.close());

  it('refuses an MCP server on 127.0.0.1 by default, with a session.error that says how to allow it', async () => {
    const { runner, events } = runnerFor({});
    try {
      const tools = await runner.extraTools(sessionFor(everything.url), new Set());
      assert.deepEqual(tools, []);
      const error = events.find((event) => event.type === 'session.error') as
        | { error: { type: string; message: string; mcp_server_name: string } }
        | undefined;
      assert.equal(error?.error.type, 'mcp_connection_failed_error');
      assert.equal(error?.error.mcp_server_name, 'everything');
      assert.match(error?.error.message ?? '', /127\.0\.0\.1 is a loopback address, which is blocked/);
      assert.match(error?.error.message ?? '', /PADDOCK_MCP_ALLOWED_PRIVATE_HOSTS/);
    } finally {
      await runner.close();
    }
  });

  for (const listed of ['127.0.0.1', '127.0.0.0/8']) {
    it(`lists the server's tools once PADDOCK_MCP_ALLOWED_PRIVATE_HOSTS has ${listed}`, async () => {
      const { runner, events } = runnerFor({ PADDOCK_MCP_ALLOWED_PRIVATE_HOSTS: `mcp.internal,${listed}` });
      try {
        const tools = await runner.extraTools(sessionFor(everything.url), new Set());
        assert.ok(
          tools.some((tool) => tool.entry.name === 'echo'),
          JSON.stringify(events),
        );
        assert.deepEqual(events, []);
      } finally {
        await runner.close();
      }
    });
  }

  it('also allows it under PADDOCK_ALLOW_PRIVATE_NETWORKS=true', async () => {
    const { runner } = runnerFor({ PADDOCK_ALLOW_PRIVATE_NETWORKS: 'true' });
    try {
      const tools = await runner.extraTools(sessionFor(everything.url), new Set());
      assert.ok(tools.some((tool) => tool.entry.name === 'echo'));
    } finally {
      await runner.close();
    }
  });
});
