import type { McpCredentialAuth, OAuthTokens } from '../core/ports/mcp-credentials.js';
import type { OutboundFetch } from '../core/ports/outbound-http.js';
import { scrubSecrets } from '../core/secret-scrub.js';
import { McpFailure } from './mcp-errors.js';

type OAuthAuth = Extract<McpCredentialAuth, { type: 'mcp_oauth' }>;

const TIMEOUT_MS = 15_000;

/**
 * RFC 6749 §6 refresh against the credential's token endpoint, authenticating
 * the client the way the credential says (none / client_secret_basic /
 * client_secret_post). Failures are authentication failures, scrubbed. The token endpoint is
 * reached through the outbound client, under the same address policy as the MCP server.
 */
export async function refreshOAuthToken(
  auth: OAuthAuth,
  now: number,
  fetch: OutboundFetch,
): Promise<OAuthTokens> {
  const refresh = auth.refresh;
  if (!refresh?.refresh_token) {
    throw new McpFailure(
      'authentication',
      'the access token expired and the credential has no refresh token',
    );
  }
  const secrets = [auth.access_token, refresh.refresh_token, refresh.token_endpoint_auth.client_secret ?? ''];
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh.refresh_token });
  if (refresh.scope) body.set('scope', refresh.scope);
  if (refresh.resource) body.set('resource', refresh.resource);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  const clientSecret = refresh.token_endpoint_auth.client_secret ?? '';
  if (refresh.token_endpoint_auth.type === 'client_secret_basic') {
    // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
    const pair = `${encodeURIComponent(refresh.client_id)}:${encodeURIComponent(clientSecret)}`;
    headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    body.set('client_id', refresh.client_id);
    if (refresh.token_endpoint_auth.type === 'client_secret_post') body.set('client_secret', clientSecret);
  }
  let response: Response;
  try {
    response = await fetch(refresh.token_endpoint, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new McpFailure('authentication', scrubSecrets(`token refresh failed: ${message}`, secrets));
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const detail = text.slice(0, 300);
    throw new McpFailure(
      'authentication',
      scrubSecrets(`token refresh failed: HTTP ${response.status} ${detail}`.trim(), secrets),
    );
  }
  let parsed: { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new McpFailure('authentication', 'token refresh failed: the token endpoint did not answer JSON');
  }
  if (typeof parsed.access_token !== 'string' || parsed.access_token.length === 0) {
    throw new McpFailure('authentication', 'token refresh failed: no access_token in the response');
  }
  const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : undefined;
  return {
    accessToken: parsed.access_token,
    refreshToken: typeof parsed.refresh_token === 'string' ? parsed.refresh_token : undefined,
    expiresAt: expiresIn === undefined ? null : new Date(now + expiresIn * 1000).toISOString(),
  };
}
