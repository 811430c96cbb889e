import type { Agent } from '../domain/agent.js';

/** The resolved agent a session (or thread) runs: an Agent minus metadata and timestamps. */
export type AgentSnapshot = Pick<
  Agent,
  'id' | 'name' | 'version' | 'model' | 'system' | 'tools' | 'mcp_servers' | 'skills' | 'multiagent'
> & { description?: string | null };
