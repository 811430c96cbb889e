/** Vault and credential objects as they go on the wire (BetaManagedAgentsVault / …Credential). */

export interface Vault {
  type: 'vault';
  id: string;
  display_name: string;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export type TokenEndpointAuthType = 'none' | 'client_secret_basic' | 'client_secret_post';

export interface OAuthRefresh {
  client_id: string;
  token_endpoint: string;
  token_endpoint_auth: { type: TokenEndpointAuthType };
  scope: string | null;
  resource: string | null;
}

export interface McpOAuthAuth {
  type: 'mcp_oauth';
  mcp_server_url: string;
  expires_at: string | null;
  refresh: OAuthRefresh | null;
}

export interface StaticBearerAuth {
  type: 'static_bearer';
  mcp_server_url: string;
}

export type CredentialNetworking = { type: 'unrestricted' } | { type: 'limited'; allowed_hosts: string[] };

export interface EnvironmentVariableAuth {
  type: 'environment_variable';
  secret_name: string;
  injection_location: { body: boolean; header: boolean };
  networking: CredentialNetworking;
}

/** The public part of a credential's auth: never holds a secret. */
export type CredentialAuth = McpOAuthAuth | StaticBearerAuth | EnvironmentVariableAuth;

export interface Credential {
  type: 'vault_credential';
  id: string;
  vault_id: string;
  display_name: string | null;
  metadata: Record<string, string>;
  auth: CredentialAuth;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

/** The write-only half, sealed in the secrets table under the credential id. */
export interface CredentialSecrets {
  token?: string;
  access_token?: string;
  refresh_token?: string;
  client_secret?: string;
  secret_value?: string;
}

/** A credential with its secrets opened; host-side only, for the harness. */
export type ResolvedAuth =
  | (StaticBearerAuth & { token: string })
  | (Omit<McpOAuthAuth, 'refresh'> & {
      access_token: string;
      refresh:
        | (Omit<OAuthRefresh, 'token_endpoint_auth'> & {
            refresh_token: string | null;
            token_endpoint_auth: { type: TokenEndpointAuthType; client_secret: string | null };
          })
        | null;
    })
  | (EnvironmentVariableAuth & { secret_value: string });

export interface ResolvedCredential {
  id: string;
  vault_id: string;
  display_name: string | null;
  auth: ResolvedAuth;
}
