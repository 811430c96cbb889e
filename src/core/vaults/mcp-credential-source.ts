import type { McpCredential, McpCredentialSource } from '../ports/mcp-credentials.js';
import type { CredentialService } from './credential-service.js';
import type { VaultService } from './vault-service.js';

/** MCP credentials from the session's vaults; refreshed OAuth tokens are sealed back through CredentialService. */
export function createMcpCredentialSource(
  vaults: VaultService,
  credentials: CredentialService,
): McpCredentialSource {
  return {
    async resolve(vaultIds) {
      const resolved = await vaults.resolveCredentials(vaultIds);
      // environment_variable credentials belong to the sandbox's egress proxy, never to MCP.
      return resolved.filter(
        (credential): credential is McpCredential => credential.auth.type !== 'environment_variable',
      );
    },
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
