/** Paddock's own per-workspace limits, set by an operator (admin key) on workspace create/update. */
export interface WorkspaceLimits {
  /** Sessions of the workspace that may be running at once; a new turn beyond it waits (429). */
  max_running_sessions: number | null;
  /** API requests per minute by the workspace's keys; beyond it 429 rate_limit_error with retry-after. */
  requests_per_minute: number | null;
  /** List cost (USD) the workspace may spend per calendar month (UTC); beyond it new turns stop. */
  monthly_spend_limit_usd: number | null;
}

export const NO_LIMITS: WorkspaceLimits = {
  max_running_sessions: null,
  requests_per_minute: null,
  monthly_spend_limit_usd: null,
};

/** The wire object, as client.beta.organization.workspaces returns it (SDK 1.10.0 BetaWorkspace). */
export interface Workspace {
  type: 'workspace';
  id: string;
  name: string;
  created_at: string;
  archived_at: string | null;
  display_color: string;
  tags: Record<string, string>;
  data_residency: {
    workspace_geo: 'us';
    allowed_inference_geos: Array<'global' | 'us'> | 'unrestricted';
    default_inference_geo: 'global' | 'us';
  };
  compartment_id: string;
  external_key_id: string | null;
  user_profile_id: string | null;
  /** Paddock's extension: limits an operator set. */
  paddock_limits: WorkspaceLimits;
}
