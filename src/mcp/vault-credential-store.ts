import type { CredentialService } from '../core/vaults/credential-service.js';
import type { VaultService } from '../core/vaults/vault-service.js';
import type { McpCredentialStore } from './mcp-auth.js';

/** MCP credentials from the session's vaults; refreshed OAuth tokens are sealed back through CredentialService. */
export function vaultCredentialStore(
  vaults: VaultService,
  credentials: CredentialService,
): McpCredentialStore {
  return {
    resolve: (vaultIds) => vaults.resolveCredentials(vaultIds),
    async saveOAuthTokens(credential, tokens) {
      await credentials.update(credential.vault_id, credential.id, {
        auth: {
          type: 'mcp_oauth',
          access_token: tokens.accessToken,
          expires_at: tokens.expiresAt,
          // Only a rotated refresh token is written; otherwise the stored one stays.
          ...(tokens.refreshToken ? { refresh: { refresh_token: tokens.refreshToken } } : {}),
        },
      });
    },
  };
}
