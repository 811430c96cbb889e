import type { ResolvedAuth, ResolvedCredential } from '../vaults/vault.js';

/** The credentials an MCP client may use: a static bearer or an OAuth token, secrets opened. */
export type McpCredentialAuth = Exclude<ResolvedAuth, { type: 'environment_variable' }>;

export type McpCredential = Omit<ResolvedCredential, 'auth'> & { auth: McpCredentialAuth };

/** What an OAuth refresh returned, to be stored sealed. */
export interface OAuthTokens {
  accessToken: string;
  /** Present when the authorization server rotated the refresh token. */
  refreshToken?: string | undefined;
  expiresAt: string | null;
}

/**
 * Where the MCP client gets a session's credentials (its vaults, in vault order) and where a
 * refreshed OAuth token goes (sealed, through the credential service). Host-side only.
 */
export interface McpCredentialSource {
  resolve(vaultIds: readonly string[]): Promise<McpCredential[]>;
  saveOAuthTokens(credential: McpCredential, tokens: OAuthTokens): Promise<void>;
}
