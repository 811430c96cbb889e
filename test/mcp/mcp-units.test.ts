import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentSnapshot } from '../../src/core/harness/agent-snapshot.js';
import { scrubSecrets } from '../../src/core/secret-scrub.js';
import { toResultBlocks } from '../../src/mcp/mcp-content.js';
import { buildMcpTools } from '../../src/mcp/mcp-tool-names.js';
import { normalizeMcpUrl } from '../../src/mcp/mcp-url.js';

const schema = { type: 'object' as const, properties: {} };
const allow = { type: 'always_allow' as const };
const ask = { type: 'always_ask' as const };

function agentWith(
  servers: string[],
  configs: Array<{ name: string; enabled: boolean }> = [],
): AgentSnapshot {
  return {
    id: 'agent_1',
    name: 'a',
    version: 1,
    model: { id: 'm' },
    system: null,
    skills: [],
    multiagent: null,
    mcp_servers: servers.map((name) => ({ type: 'url' as const, name, url: `https://${name}.example/mcp` })),
    tools: servers.map((name) => ({
      type: 'mcp_toolset' as const,
      mcp_server_name: name,
      default_config: { enabled: true, permission_policy: ask },
      configs: name === 'a' ? configs.map((config) => ({ ...config, permission_policy: allow })) : [],
    })),
  } as AgentSnapshot;
}

describe('MCP adapter pieces', () => {
  it('normalizes URLs for credential matching', () => {
    assert.equal(normalizeMcpUrl('HTTPS://Api.Example.COM:443/mcp/'), 'https://api.example.com/mcp');
    assert.equal(normalizeMcpUrl('http://host:80/'), 'http://host');
    assert.equal(normalizeMcpUrl('http://host:8080/a/b?x=1'), 'http://host:8080/a/b?x=1');
    assert.notEqual(normalizeMcpUrl('https://host/a'), normalizeMcpUrl('https://host/b'));
  });

  it('keeps remote names, prefixes every holder of a colliding name, cleans invalid characters', () => {
    const tools = buildMcpTools(
      agentWith(['a', 'b'], [{ name: 'hidden', enabled: false }]),
      [
        {
          serverName: 'a',
          tools: [
            { name: 'search', inputSchema: schema },
            { name: 'hidden', inputSchema: schema },
          ],
        },
        {
          serverName: 'b',
          tools: [
            { name: 'search', inputSchema: schema },
            { name: 'files.read', inputSchema: schema },
            { name: 'bash', inputSchema: schema },
          ],
        },
      ],
      new Set(['bash']),
    );
    assert.deepEqual(
      tools.map((tool) => [tool.entry.name, tool.entry.mcpServerName, tool.entry.remoteName]),
      [
        ['a__search', 'a', 'search'],
        ['b__search', 'b', 'search'],
        ['files_read', 'b', 'files.read'],
        ['b__bash', 'b', 'bash'],
      ],
    );
    assert.deepEqual(tools[0]?.entry.policy, ask);
  });

  it('applies per-tool permission policy over the default', () => {
    const [tool] = buildMcpTools(
      agentWith(['a'], [{ name: 'echo', enabled: true }]),
      [{ serverName: 'a', tools: [{ name: 'echo', inputSchema: schema }] }],
      new Set(),
    );
    assert.deepEqual(tool?.entry.policy, allow);
  });

  it('maps MCP content to result blocks', () => {
    assert.deepEqual(
      toResultBlocks([
        { type: 'text', text: 'hi' },
        { type: 'image', data: 'AAAA', mimeType: 'image/png' },
        { type: 'resource_link', uri: 'file:///x', name: 'x' },
      ]),
      [
        { type: 'text', text: 'hi' },
        { type: 'image', source: { type: 'base64', data: 'AAAA', media_type: 'image/png' } },
        { type: 'text', text: '{"type":"resource_link","uri":"file:///x","name":"x"}' },
      ],
    );
    assert.deepEqual(toResultBlocks([], { sum: 3 }), [{ type: 'text', text: '{"sum":3}' }]);
  });

  it('scrubs secrets from messages', () => {
    assert.equal(scrubSecrets('Bearer abcd1234 failed', ['abcd1234', '']), 'Bearer [redacted] failed');
  });
});
