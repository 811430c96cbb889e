import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SandboxSpec } from '../../src/core/ports/sandbox.js';
import { EgressPolicy } from '../../src/sandbox/network/egress-policy.js';
import { freePort } from '../mcp/mcp-servers.js';
import { type HarnessFixture, runTurn, startHarnessFixture } from '../support/harness-fixture.js';
import { recordingDriver } from '../support/recording-driver.js';

const MCP_URLS = [
  'https://mcp.example.com/mcp',
  'http://tools.example.org:8080/sse',
  'http://[2001:db8::5]/mcp',
];

describe('egress policy: allow_mcp_servers', () => {
  const limited = (allow: boolean) =>
    new EgressPolicy({ type: 'limited', allow_mcp_servers: allow, mcpServerUrls: MCP_URLS });

  it("opens the agent's MCP server hosts, each on its own port only", () => {
    const policy = limited(true);
    assert.ok(policy.allows('mcp.example.com', 443), 'https without a port means 443');
    assert.ok(policy.allows('MCP.Example.com.', 443));
    assert.ok(!policy.allows('mcp.example.com', 80), 'an https server does not open port 80');
    assert.ok(!policy.allows('other.example.com', 443));
    assert.ok(!policy.allows('sub.mcp.example.com', 443), 'no subdomains');
    assert.ok(policy.allows('tools.example.org', 8080), 'an explicit port');
    assert.ok(!policy.allows('tools.example.org', 80));
    assert.ok(!policy.allows('tools.example.org', 443));
    assert.ok(policy.allows('2001:db8::5', 80), 'http without a port means 80; IPv6 literals compare bare');
  });

  it('opens nothing when the flag is off, and ignores unusable URLs', () => {
    const policy = limited(false);
    for (const [host, port] of [
      ['mcp.example.com', 443],
      ['tools.example.org', 8080],
    ] as const)
      assert.ok(!policy.allows(host, port));
    const odd = new EgressPolicy({
      type: 'limited',
      allow_mcp_servers: true,
      mcpServerUrls: ['not a url', 'ftp://files.example.com/'],
    });
    assert.ok(!odd.allows('files.example.com', 21));
    assert.ok(!odd.allows('files.example.com', 443));
  });

  it('adds to allowed_hosts rather than replacing it', () => {
    const policy = new EgressPolicy({
      type: 'limited',
      allowed_hosts: ['api.example.net'],
      allow_mcp_servers: true,
      mcpServerUrls: [MCP_URLS[0]!],
    });
    assert.ok(policy.allows('api.example.net', 443));
    assert.ok(policy.allows('mcp.example.com', 443));
  });
});

// Through the API and the harness: the spec a limited environment's session gets carries its agent's
// MCP server URLs, so the egress proxy can open them.
describe('allow_mcp_servers reaches the sandbox spec', () => {
  let fixture: HarnessFixture;
  const specs: SandboxSpec[] = [];
  before(async () => {
    fixture = await startHarnessFixture('sqlite', [], { sandboxes: recordingDriver(specs) });
  });
  after(async () => fixture?.close());

  it("a limited environment's spec lists the agent's mcp_servers URLs", async () => {
    const { client, model } = fixture;
    // Nothing listens there: the MCP tools are simply unavailable; only the spec matters.
    const mcpUrl = `http://127.0.0.1:${await freePort()}/mcp`;
    const agent = await client.beta.agents.create({
      name: 'MCP egress',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401' }, { type: 'mcp_toolset', mcp_server_name: 'remote' }],
      mcp_servers: [{ type: 'url', name: 'remote', url: mcpUrl }],
    });
    const environment = await client.beta.environments.create({
      name: `env-${Math.random().toString(36).slice(2)}`,
      config: {
        type: 'cloud',
        networking: { type: 'limited', allow_mcp_servers: true, allowed_hosts: ['api.example.net'] },
      },
    });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    model.push([
      {
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'true' } }],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    await runTurn(client, session.id);
    const spec = specs.find((entry) => entry.sessionId === session.id);
    assert.ok(spec, 'the harness acquired a sandbox');
    assert.equal(spec.network.type, 'limited');
    assert.equal(spec.network.allow_mcp_servers, true);
    assert.deepEqual(spec.network.mcpServerUrls, [mcpUrl]);
    const port = Number(new URL(mcpUrl).port);
    assert.ok(new EgressPolicy(spec.network).allows('127.0.0.1', port));
  });
});
