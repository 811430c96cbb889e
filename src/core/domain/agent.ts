import type { PermissionPolicy } from '../schemas/common.js';

/** The Agent object as it goes on the wire (BetaManagedAgentsAgent). */
export interface ModelConfig {
  id: string;
  effort?: { type: 'low' | 'medium' | 'high' | 'xhigh' | 'max' };
  inference_geo?: string;
  speed?: 'standard' | 'fast';
}

export interface ToolConfig {
  name: string;
  type?: string;
  enabled: boolean;
  permission_policy: PermissionPolicy;
  [extra: string]: unknown;
}

export interface AgentToolset {
  type: 'agent_toolset_20260401';
  default_config: { enabled: boolean; permission_policy: PermissionPolicy };
  configs: ToolConfig[];
}

export interface McpToolset {
  type: 'mcp_toolset';
  mcp_server_name: string;
  default_config: { enabled: boolean; permission_policy: PermissionPolicy };
  configs: ToolConfig[];
}

export interface CustomTool {
  type: 'custom';
  name: string;
  description: string;
  input_schema: { type: 'object'; [key: string]: unknown };
}

export type AgentTool = AgentToolset | McpToolset | CustomTool;

export interface McpServer {
  type: 'url';
  name: string;
  url: string;
}

export interface Skill {
  type: 'anthropic' | 'custom';
  skill_id: string;
  version: string;
}

export interface AgentReference {
  type: 'agent';
  id: string;
  version: number;
}

export type Multiagent =
  | { type: 'coordinator'; agents: Array<AgentReference | { type: 'advisor'; model: string }> }
  | {
      type: 'multiagent_20261001';
      advisor: { type: 'enabled'; model: string } | { type: 'disabled' };
      subagents: Delegation;
      workflows: Delegation;
    };

export type Delegation =
  | { type: 'enabled'; inline_agents: { type: 'enabled' | 'disabled' }; predefined_agents: AgentReference[] }
  | { type: 'disabled' };

export type ExecutionIdentity = { type: 'service_account' } | { type: 'aws_role'; role_arn: string };

export interface Agent {
  type: 'agent';
  id: string;
  name: string;
  description: string | null;
  system: string | null;
  model: ModelConfig;
  tools: AgentTool[];
  mcp_servers: McpServer[];
  skills: Skill[];
  multiagent: Multiagent | null;
  metadata: Record<string, string>;
  execution_identity: ExecutionIdentity;
  version: number;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

/** The fields an agent's definition consists of: what a new version compares. */
export type AgentDefinition = Omit<
  Agent,
  'type' | 'id' | 'version' | 'created_at' | 'updated_at' | 'archived_at'
>;
