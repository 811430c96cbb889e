import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { DIALECTS } from '../support/databases.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { testCa, testServerCert } from '../support/test-ca.js';
import { freePort, type RunningServer, startEverythingServer } from './mcp-servers.js';
import { startGateway } from './tunnel-gateway.js';

/**
 * A whole session, as `paddock serve` wires it: the agent names an MCP server under a tunnel's
 * domain, the scripted model calls one of its tools, and the call goes through the tunnel's
 * gateway (on loopback, which the address policy refuses for any other MCP URL).
 */
describe('a session using an MCP server through a tunnel', () => {
  let everything: RunningServer;
  before(async () => {
    everything = await startEverythingServer();
  });
  after(async () => everything?.close());

  for (const dialect of DIALECTS) {
    describe(`over ${dialect}`, () => {
      let fixture: HarnessFixture;
      let gatewayPort: number;
      before(async () => {
        gatewayPort = await freePort();
        const { tunnels } = loadConfig({
          PADDOCK_TUNNEL_DOMAIN: 'tunnels.session.internal',
          PADDOCK_TUNNEL_GATEWAY: `127.0.0.1:${gatewayPort}`,
        });
        fixture = await startHarnessFixture(dialect, [], {}, { tunnels });
      });
      after(async () => fixture?.close());

      it('calls the tool through the gateway and gets its result', async () => {
        const { client, model } = fixture;
        const tunnel = await client.beta.tunnels.create({ display_name: 'office' });
        const host = `tools.${tunnel.domain}`;
        const ca = testCa();
        await client.beta.tunnels.certificates.create(tunnel.id, { ca_certificate_pem: ca.cert });
        const gateway = await startGateway(gatewayPort, everything.url, testServerCert(ca, [host]));
        try {
          const agent = await client.beta.agents.create({
            name: 'tunnel user',
            model: 'claude-sonnet-4-6',
            tools: [
              {
                type: 'mcp_toolset',
                mcp_server_name: 'office',
                default_config: { permission_policy: { type: 'always_allow' } },
              },
            ],
            mcp_servers: [{ type: 'url', name: 'office', url: `https://${host}/mcp` }],
          });
          const environment = await client.beta.environments.create({ name: 'tunnel-session' });
          const session = await client.beta.sessions.create({
            agent: agent.id,
            environment_id: environment.id,
          });
          model.push([
            { content: [{ type: 'tool_use', name: 'echo', input: { message: 'through the tunnel' } }] },
            { content: [{ type: 'text', text: 'done' }] },
          ]);
          const reader = await openEventReader(client, session.id);
          await client.beta.sessions.events.send(session.id, {
            events: [{ type: 'user.message', content: [{ type: 'text', text: 'echo something' }] }],
          });
          const events = await reader.until(isIdle, 60_000).finally(() => reader.close());
          const errors = events.filter((event) => event.type === 'session.error');
          assert.deepEqual(errors, []);
          const result = events.find((event) => event.type === 'agent.mcp_tool_result');
          assert.equal(result?.['is_error'], false);
          assert.deepEqual(result?.['content'], [{ type: 'text', text: 'Echo: through the tunnel' }]);
          assert.ok(gateway.seen.length > 0 && gateway.seen.every((seen) => seen.servername === host));
        } finally {
          await gateway.close();
        }
      });
    });
  }
});
