import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { createTunnelFetch } from '../../src/compose/tunnels-user-profiles.js';
import { loadConfig, type PaddockConfig } from '../../src/config/config.js';
import { systemClock } from '../../src/core/clock.js';
import type { DraftEvent } from '../../src/core/events/session-event.js';
import { McpToolRunner } from '../../src/mcp/mcp-tool-runner.js';
import { createOutboundFetch } from '../../src/outbound/outbound-fetch.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createTenant } from '../support/tenancy.js';
import { testCa, testServerCert } from '../support/test-ca.js';
import { freePort, type RunningServer, startEverythingServer } from './mcp-servers.js';
import { mcpSession } from './mcp-session.js';
import { startGateway } from './tunnel-gateway.js';

const TUNNEL_DOMAIN = 'tunnels.test.internal';

const harnessSession = (id: string, url: string) => mcpSession(id, url, 'private', 'tunnel user');

/** A session of `client`'s workspace whose agent names `url` (created through the SDK). */
async function sessionIn(client: Anthropic, url: string): Promise<string> {
  const agent = await client.beta.agents.create({
    name: 'tunnel user',
    model: 'claude-sonnet-4-6',
    mcp_servers: [{ type: 'url', name: 'private', url }],
    tools: [{ type: 'mcp_toolset', mcp_server_name: 'private' }],
  });
  const environment = await client.beta.environments.create({ name: 'tunnel env' });
  const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
  return session.id;
}

for (const dialect of DIALECTS) {
  describe(`MCP servers reached through a tunnel (${dialect})`, () => {
    let server: TestServer;
    let everything: RunningServer;
    let gatewayPort: number;
    let config: PaddockConfig;
    before(async () => {
      everything = await startEverythingServer();
      gatewayPort = await freePort();
      // Read from the environment as `paddock serve` reads it.
      config = loadConfig({
        PADDOCK_TUNNEL_DOMAIN: TUNNEL_DOMAIN,
        PADDOCK_TUNNEL_GATEWAY: `127.0.0.1:${gatewayPort}`,
      });
      server = await startTestServer(dialect, { tunnels: config.tunnels });
    });
    after(async () => {
      await server?.close();
      await everything?.close();
    });

    /** The MCP runner as harness-node.ts wires it: the default client refuses loopback. */
    function runner() {
      const events: DraftEvent[] = [];
      const mcp = new McpToolRunner({
        credentials: { resolve: async () => [], saveOAuthTokens: async () => undefined },
        clock: systemClock,
        fetch: createOutboundFetch({ allowPrivate: false, allowedPrivateHosts: [] }),
        tunnelFetch: createTunnelFetch(server.paddock.store, config),
        appendEvents: async (_sessionId, drafts) => {
          events.push(...drafts);
        },
      });
      const errors = () =>
        events
          .filter((event) => event.type === 'session.error')
          .map((event) => (event as unknown as { error: { message: string } }).error.message);
      return { mcp, errors };
    }

    it("reaches a private MCP server through the tunnel's gateway, trusting only the tunnel's CAs", async () => {
      const tunnels = server.client.beta.tunnels;
      const tunnel = await tunnels.create({ display_name: 'private network' });
      const host = `mcp.${tunnel.domain}`;
      const url = `https://${host}/mcp`;
      const ca = testCa({ name: 'gateway CA' });
      const gateway = await startGateway(gatewayPort, everything.url, testServerCert(ca, [host]));
      const sessionId = await sessionIn(server.client, url);
      try {
        // No certificate yet: the tunnel refuses MCP traffic.
        const before = runner();
        assert.deepEqual(await before.mcp.extraTools(harnessSession(sessionId, url), new Set()), []);
        assert.match(before.errors()[0] ?? '', /has no active CA certificate/);
        await before.mcp.close();
        assert.equal(gateway.seen.length, 0);

        // A CA that did not sign the gateway's certificate: TLS verification fails.
        const wrong = await tunnels.certificates.create(tunnel.id, { ca_certificate_pem: testCa().cert });
        const untrusted = runner();
        assert.deepEqual(await untrusted.mcp.extraTools(harnessSession(sessionId, url), new Set()), []);
        assert.match(
          untrusted.errors()[0] ?? '',
          /could not connect to MCP server private: .*(certificate|UNABLE_TO_VERIFY)/i,
        );
        await untrusted.mcp.close();
        await tunnels.certificates.archive(wrong.id, { tunnel_id: tunnel.id });

        await tunnels.certificates.create(tunnel.id, { ca_certificate_pem: ca.cert });
        const through = runner();
        const tools = await through.mcp.extraTools(harnessSession(sessionId, url), new Set());
        assert.ok(tools.length > 0, `tools listed; errors: ${through.errors().join('; ')}`);
        assert.deepEqual(through.errors(), []);
        assert.ok(gateway.seen.length > 0);
        assert.ok(gateway.seen.every((seen) => seen.servername === host && seen.host === host));
        await through.mcp.close();

        // The same loopback server without the tunnel is refused by the address policy.
        const direct = runner();
        assert.deepEqual(
          await direct.mcp.extraTools(harnessSession(sessionId, everything.url), new Set()),
          [],
        );
        assert.match(direct.errors()[0] ?? '', /loopback address, which is blocked/);
        await direct.mcp.close();
      } finally {
        await gateway.close();
      }
    });

    it("refuses plain http, another workspace's tunnel, an unknown or archived one, each with its reason", async () => {
      const tunnel = await server.client.beta.tunnels.create({});
      await server.client.beta.tunnels.certificates.create(tunnel.id, { ca_certificate_pem: testCa().cert });
      const cases: Array<[string, string, RegExp]> = [];
      cases.push(['plain http', `http://mcp.${tunnel.domain}/mcp`, /https only/]);
      cases.push(['the bare domain', `https://${tunnel.domain}/mcp`, /subdomains of the tunnel domain/]);
      cases.push(['unknown', `https://mcp.nosuchtunnel.${TUNNEL_DOMAIN}/mcp`, /no tunnel of this workspace/]);
      for (const [what, url, expected] of cases) {
        const { mcp, errors } = runner();
        const sessionId = await sessionIn(server.client, url);
        assert.deepEqual(await mcp.extraTools(harnessSession(sessionId, url), new Set()), [], what);
        assert.match(errors()[0] ?? '', expected, what);
        await mcp.close();
      }
      // A session of another workspace cannot use this workspace's tunnel.
      const other = await createTenant(server, 'tunnel-neighbour');
      const url = `https://mcp.${tunnel.domain}/mcp`;
      const foreign = runner();
      const foreignSession = await sessionIn(other.client, url);
      assert.deepEqual(await foreign.mcp.extraTools(harnessSession(foreignSession, url), new Set()), []);
      assert.match(foreign.errors()[0] ?? '', /no tunnel of this workspace/);
      await foreign.mcp.close();
      // Archived: refused.
      await server.client.beta.tunnels.archive(tunnel.id);
      const archived = runner();
      const sessionId = await sessionIn(server.client, url);
      assert.deepEqual(await archived.mcp.extraTools(harnessSession(sessionId, url), new Set()), []);
      assert.match(archived.errors()[0] ?? '', /is archived/);
      await archived.mcp.close();
    });
  });
}
