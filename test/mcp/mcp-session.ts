import type { HarnessSession } from '../../src/core/ports/harness-sessions.js';

/** A harness session whose agent uses one MCP server at `url`, all its tools allowed. */
export function mcpSession(id: string, url: string, serverName: string, agentName: string): HarnessSession {
  return {
    id,
    status: 'idle',
    environmentId: 'env_x',
    agent: {
      id: 'agent_x',
      name: agentName,
      version: 1,
      model: { id: 'claude-sonnet-4-6', speed: 'standard' },
      system: null,
      tools: [
        {
          type: 'mcp_toolset',
          mcp_server_name: serverName,
          default_config: { enabled: true, permission_policy: { type: 'always_allow' } },
          configs: [],
        },
      ],
      mcp_servers: [{ type: 'url', name: serverName, url }],
      skills: [],
      multiagent: null,
    } as unknown as HarnessSession['agent'],
    vaultIds: [],
    archived: false,
    createdAt: new Date().toISOString(),
    budget: null,
  };
}
