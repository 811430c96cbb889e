import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  type StreamEvent,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import {
  freePort,
  type RunningServer,
  startBearerGate,
  startEverythingServer,
  startTokenEndpoint,
} from './mcp-servers.js';

const SECRET = 'mcp-bearer-secret-9f3a71c2';
const STALE = 'stale-oauth-token-77aa';
const REFRESH = 'refresh-token-secret-51b0';
const CLIENT_SECRET = 'client-secret-value-d4e2';

type Fixture = HarnessFixture;

async function startTurn(fixture: Fixture, sessionId: string) {
  const reader = await openEventReader(fixture.client, sessionId);
  await fixture.client.beta.sessions.events.send(sessionId, {
    events: [{ type: 'user.message', content: [{ type: 'text', text: 'use the tools' }] }],
  });
  try {
    return await reader.until(isIdle, 30_000);
  } finally {
    reader.close();
  }
}

async function mcpSession(
  client: Anthropic,
  mcpUrl: string,
  options: { vaultIds?: string[]; configs?: Array<Record<string, unknown>> } = {},
) {
  const agent = await client.beta.agents.create({
    name: 'MCP user',
    model: 'claude-sonnet-4-6',
    tools: [
      { type: 'agent_toolset_20260401' },
      {
        type: 'mcp_toolset',
        mcp_server_name: 'everything',
        default_config: { permission_policy: { type: 'always_allow' } },
        // biome-ignore lint/suspicious/noExplicitAny: per-tool configs are loosely typed here
        configs: (options.configs ?? []) as any,
      },
    ],
    mcp_servers: [{ type: 'url', name: 'everything', url: mcpUrl }],
  });
  const environment = await client.beta.environments.create({
    name: `env-${Math.random().toString(36).slice(2)}`,
    config: { type: 'cloud', networking: { type: 'unrestricted' } },
  });
  return client.beta.sessions.create({
    agent: agent.id,
    environment_id: environment.id,
    vault_ids: options.vaultIds ?? [],
  });
}

async function history(client: Anthropic, sessionId: string) {
  const events: StreamEvent[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId)) events.push(event as StreamEvent);
  return events;
}

function offeredTools(fixture: Fixture): string[] {
  const body = fixture.model.requests().at(-1)?.body as { tools?: Array<{ name: string }> } | undefined;
  return (body?.tools ?? []).map((tool) => tool.name);
}

describe('MCP servers against the reference server', () => {
  let everything: RunningServer;
  let gate: Awaited<ReturnType<typeof startBearerGate>>;
  const accepted = [SECRET];
  before(async () => {
    everything = await startEverythingServer();
    gate = await startBearerGate(everything.url, () => accepted);
  });
  after(async () => {
    await gate?.close();
    await everything?.close();
  });

  for (const dialect of DIALECTS) {
    describe(`over ${dialect}`, () => {
      let fixture: Fixture;
      before(async () => {
        // The reference servers listen on loopback: allowed by the operator's list, 127.0.0.1 only.
        fixture = await startHarnessFixture(dialect, [], {}, { mcpAllowedPrivateHosts: ['127.0.0.1'] });
      });
      after(async () => fixture.close());

      it('calls a tool with a static_bearer vault credential matched by normalized URL', async () => {
        const { client, model } = fixture;
        const vault = await client.beta.vaults.create({ display_name: 'mcp' });
        // Same server, spelled differently: upper-case host and a trailing slash.
        const spelled = `${gate.url.replace('http://', 'HTTP://')}/`;
        await client.beta.vaults.credentials.create(vault.id, {
          auth: { type: 'static_bearer', mcp_server_url: spelled, token: SECRET },
        });
        const session = await mcpSession(client, gate.url, {
          vaultIds: [vault.id],
          configs: [{ name: 'get-sum', enabled: false }],
        });
        model.push([
          {
            content: [
              { type: 'tool_use', name: 'echo', input: { message: 'hi' } },
              { type: 'tool_use', name: 'get-tiny-image', input: {} },
            ],
            stop_reason: 'tool_use',
          },
          { content: [{ type: 'text', text: 'done' }] },
        ]);
        const events = await startTurn(fixture, session.id);
        const uses = events.filter((event) => event.type === 'agent.mcp_tool_use');
        const results = events.filter((event) => event.type === 'agent.mcp_tool_result');
        assert.equal(uses.length, 2, JSON.stringify(events.map((event) => event.type)));
        assert.equal(uses[0]?.['name'], 'echo');
        assert.equal(uses[0]?.['mcp_server_name'], 'everything');
        assert.equal(uses[0]?.['evaluated_permission'], 'allow');
        assert.deepEqual(uses[0]?.['evaluation'], { type: 'always_allow' });
        assert.equal(results[0]?.['mcp_tool_use_id'], uses[0]?.id);
        assert.equal(results[0]?.['is_error'], false);
        assert.deepEqual(results[0]?.['content'], [{ type: 'text', text: 'Echo: hi' }]);
        const imageContent = (results[1]?.['content'] ?? []) as Array<{
          type: string;
          source?: { media_type: string };
        }>;
        const image = imageContent.find((block) => block.type === 'image');
        assert.equal(image?.source?.media_type, 'image/png');
        assert.equal(events.at(-1)?.['stop_reason']?.type, 'end_turn');
        // Disabled tools are hidden; the model saw the server's others next to the built-ins.
        const tools = offeredTools(fixture);
        assert.ok(tools.includes('echo') && tools.includes('bash'));
        assert.ok(!tools.includes('get-sum'));
        // The bearer secret went to the server and nowhere else.
        assert.ok(gate.authorizations.includes(`Bearer ${SECRET}`));
        assert.ok(!JSON.stringify(await history(client, session.id)).includes(SECRET));
        assert.ok(!JSON.stringify(model.requests().map((request) => request.body)).includes(SECRET));
      });

      it('reports mcp_authentication_failed_error without a credential and runs on without the tools', async () => {
        const { client, model } = fixture;
        const session = await mcpSession(client, gate.url);
        model.push([{ content: [{ type: 'text', text: 'no tools today' }] }]);
        const events = await startTurn(fixture, session.id);
        const error = events.find((event) => event.type === 'session.error');
        assert.equal(error?.['error']?.type, 'mcp_authentication_failed_error');
        assert.equal(error?.['error']?.mcp_server_name, 'everything');
        assert.deepEqual(error?.['error']?.retry_status, { type: 'retrying' });
        assert.equal(events.at(-1)?.['stop_reason']?.type, 'end_turn');
        assert.ok(!offeredTools(fixture).includes('echo'));
      });

      it('reports mcp_connection_failed_error for an unreachable server', async () => {
        const { client, model } = fixture;
        const session = await mcpSession(client, `http://127.0.0.1:${await freePort()}/mcp`);
        model.push([{ content: [{ type: 'text', text: 'still here' }] }]);
        const events = await startTurn(fixture, session.id);
        const error = events.find((event) => event.type === 'session.error');
        assert.equal(error?.['error']?.type, 'mcp_connection_failed_error');
        assert.equal(error?.['error']?.mcp_server_name, 'everything');
        assert.equal(events.at(-1)?.['stop_reason']?.type, 'end_turn');
      });

      it('refreshes an mcp_oauth token after a 401, stores it sealed, and retries once', async () => {
        const { client, model } = fixture;
        const fresh = `fresh-access-${dialect}-0c1d`;
        accepted.push(fresh);
        const endpoint = await startTokenEndpoint(REFRESH, () => ({ access_token: fresh, expires_in: 3600 }));
        try {
          const vault = await client.beta.vaults.create({ display_name: 'oauth' });
          const credential = await client.beta.vaults.credentials.create(vault.id, {
            auth: {
              type: 'mcp_oauth',
              mcp_server_url: gate.url,
              access_token: STALE,
              refresh: {
                client_id: 'paddock-client',
                token_endpoint: endpoint.url,
                token_endpoint_auth: { type: 'client_secret_basic', client_secret: CLIENT_SECRET },
                refresh_token: REFRESH,
              },
            },
          });
          const session = await mcpSession(client, gate.url, { vaultIds: [vault.id] });
          model.push([
            {
              content: [{ type: 'tool_use', name: 'echo', input: { message: 'oauth' } }],
              stop_reason: 'tool_use',
            },
            { content: [{ type: 'text', text: 'ok' }] },
          ]);
          const events = await startTurn(fixture, session.id);
          const result = events.find((event) => event.type === 'agent.mcp_tool_result');
          assert.deepEqual(result?.['content'], [{ type: 'text', text: 'Echo: oauth' }]);
          // The stale token was tried first: this is the 401 path, not the expiry path.
          assert.ok(gate.authorizations.includes(`Bearer ${STALE}`));
          assert.equal(endpoint.calls.length, 1);
          const basic = Buffer.from(`paddock-client:${CLIENT_SECRET}`).toString('base64');
          assert.equal(endpoint.calls[0]?.authorization, `Basic ${basic}`);
          // The new expiry is on the credential; its secrets never are.
          const stored = await client.beta.vaults.credentials.retrieve(credential.id, { vault_id: vault.id });
          assert.ok(stored.auth.type === 'mcp_oauth' && stored.auth.expires_at);
          const text = JSON.stringify([await history(client, session.id), stored]);
          for (const secret of [STALE, REFRESH, CLIENT_SECRET, fresh])
            assert.ok(!text.includes(secret), secret);
        } finally {
          await endpoint.close();
        }
      });

      it('refuses an MCP server on an unlisted loopback address in any spelling, and the session runs on', async () => {
        const { client, model } = fixture;
        const port = new URL(gate.url).port;
        for (const host of ['127.0.0.2', '[::ffff:127.0.0.2]', '[::ffff:7f00:2]', '[::1]']) {
          const session = await mcpSession(client, `http://${host}:${port}/mcp`);
          model.push([{ content: [{ type: 'text', text: 'without tools' }] }]);
          const events = await startTurn(fixture, session.id);
          const error = events.find((event) => event.type === 'session.error');
          assert.equal(error?.['error']?.type, 'mcp_connection_failed_error', host);
          assert.match(
            String(error?.['error']?.message),
            /could not connect to MCP server everything: .*is a loopback address, which is blocked.*PADDOCK_MCP_ALLOWED_PRIVATE_HOSTS/,
            host,
          );
          assert.equal(events.at(-1)?.['stop_reason']?.type, 'end_turn', host);
          assert.equal((await client.beta.sessions.retrieve(session.id)).status, 'idle', host);
        }
        // The listed address in the same spelling family still works (the other tests use it).
        const listed = await mcpSession(client, gate.url.replace('127.0.0.1', '[::ffff:127.0.0.1]'));
        model.push([{ content: [{ type: 'text', text: 'listed' }] }]);
        const events = await startTurn(fixture, listed.id);
        assert.equal(
          events.find((event) => event.type === 'session.error')?.['error']?.type,
          'mcp_authentication_failed_error',
        );
      });

      it('refuses an OAuth token endpoint on an unlisted private address', async () => {
        const { client, model } = fixture;
        const vault = await client.beta.vaults.create({ display_name: 'oauth-private' });
        await client.beta.vaults.credentials.create(vault.id, {
          auth: {
            type: 'mcp_oauth',
            mcp_server_url: gate.url,
            access_token: STALE,
            refresh: {
              client_id: 'paddock-client',
              token_endpoint: 'http://169.254.169.254/token',
              token_endpoint_auth: { type: 'none' },
              refresh_token: REFRESH,
            },
          },
        });
        const session = await mcpSession(client, gate.url, { vaultIds: [vault.id] });
        model.push([{ content: [{ type: 'text', text: 'no refresh' }] }]);
        const events = await startTurn(fixture, session.id);
        const error = events.find((event) => event.type === 'session.error');
        assert.equal(error?.['error']?.type, 'mcp_authentication_failed_error');
        assert.match(
          String(error?.['error']?.message),
          /token refresh failed: .*cloud metadata address, which is blocked/,
        );
        assert.ok(!JSON.stringify(events).includes(REFRESH));
        assert.equal(events.at(-1)?.['stop_reason']?.type, 'end_turn');
      });

      it('lists the new tools on the next turn after the session agent is updated while idle', async () => {
        const { client, model } = fixture;
        const vault = await client.beta.vaults.create({ display_name: 'later' });
        await client.beta.vaults.credentials.create(vault.id, {
          auth: { type: 'static_bearer', mcp_server_url: gate.url, token: SECRET },
        });
        const unreachable = `http://127.0.0.1:${await freePort()}/mcp`;
        const session = await mcpSession(client, unreachable, { vaultIds: [vault.id] });
        model.push([{ content: [{ type: 'text', text: 'first' }] }]);
        await startTurn(fixture, session.id);
        assert.ok(!offeredTools(fixture).includes('echo'));
        await client.beta.sessions.update(session.id, {
          agent: { mcp_servers: [{ type: 'url', name: 'everything', url: gate.url }] },
        });
        model.push([{ content: [{ type: 'text', text: 'second' }] }]);
        const events = await startTurn(fixture, session.id);
        assert.ok(!events.some((event) => event.type === 'session.error'));
        assert.ok(offeredTools(fixture).includes('echo'));
      });
    });
  }
});
