import { toTimestamp } from '../clock.js';
import { invalidRequest } from '../errors.js';
import type { Credential, CredentialSecrets } from './vault.js';

/** The wire shape of `vaults.credentials.mcpOAuthValidate` (BetaManagedAgentsCredentialValidation). */
export interface CredentialValidation {
  type: 'vault_credential_validation';
  credential_id: string;
  vault_id: string;
  status: 'valid' | 'invalid' | 'unknown';
  has_refresh_token: boolean;
  mcp_probe: null;
  refresh: null;
  validated_at: string;
}

/**
 * What the stored state alone can tell about an mcp_oauth credential. Paddock does not probe the
 * MCP server from the API (server-side requests go through the harness node's outbound policy,
 * and a probe could spend a one-time refresh token): an access token past `expires_at` with no
 * refresh token is `invalid`; anything else is `unknown` until a session uses it (the harness
 * refreshes on a 401 then). `mcp_probe` and `refresh` stay null: no probe, no refresh attempted.
 */
export function validateStoredMcpOAuth(
  credential: Credential,
  secrets: CredentialSecrets,
  nowMs: number,
): CredentialValidation {
  if (credential.auth.type !== 'mcp_oauth')
    throw invalidRequest(
      `credential ${credential.id} is ${credential.auth.type}; only mcp_oauth credentials can be validated`,
    );
  const hasRefreshToken = Boolean(secrets.refresh_token) && credential.auth.refresh !== null;
  const expiresAt = credential.auth.expires_at ? Date.parse(credential.auth.expires_at) : undefined;
  const expired = expiresAt !== undefined && expiresAt <= nowMs;
  const noAccessToken = !secrets.access_token;
  return {
    type: 'vault_credential_validation',
    credential_id: credential.id,
    vault_id: credential.vault_id,
    status: (expired || noAccessToken) && !hasRefreshToken ? 'invalid' : 'unknown',
    has_refresh_token: hasRefreshToken,
    mcp_probe: null,
    refresh: null,
    validated_at: toTimestamp(nowMs),
  };
}
