import { invalidRequest } from '../errors.js';
import type { AuthCreateParam, AuthUpdateParam } from '../schemas/credentials.js';
import { narrowInjection, narrowNetworking } from './credential-reach.js';
import type {
  CredentialAuth,
  CredentialSecrets,
  EnvironmentVariableAuth,
  McpOAuthAuth,
  ResolvedAuth,
} from './vault.js';

/** Auth split into what may be shown (`auth`) and what is sealed (`secrets`). */
export interface SplitAuth {
  auth: CredentialAuth;
  secrets: CredentialSecrets;
}

/** Header-only substitution unless asked otherwise: a placeholder in a body is rarely meant. */
const DEFAULT_INJECTION = { body: false, header: true };

export function splitCreateAuth(param: AuthCreateParam): SplitAuth {
  switch (param.type) {
    case 'static_bearer':
      return {
        auth: { type: 'static_bearer', mcp_server_url: param.mcp_server_url },
        secrets: { token: param.token },
      };
    case 'mcp_oauth': {
      const refresh = param.refresh ?? null;
      const clientSecret =
        refresh && refresh.token_endpoint_auth.type !== 'none'
          ? refresh.token_endpoint_auth.client_secret
          : undefined;
      return {
        auth: {
          type: 'mcp_oauth',
          mcp_server_url: param.mcp_server_url,
          expires_at: param.expires_at ?? null,
          refresh: refresh && {
            client_id: refresh.client_id,
            token_endpoint: refresh.token_endpoint,
            token_endpoint_auth: { type: refresh.token_endpoint_auth.type },
            scope: refresh.scope || null,
            resource: refresh.resource ?? null,
          },
        },
        secrets: compact({
          access_token: param.access_token,
          refresh_token: refresh?.refresh_token ?? undefined,
          client_secret: clientSecret,
        }),
      };
    }
    case 'environment_variable':
      return {
        auth: {
          type: 'environment_variable',
          secret_name: param.secret_name,
          injection_location: checkInjection({
            body:
              param.injection_location?.body ?? (param.injection_location ? false : DEFAULT_INJECTION.body),
            header:
              param.injection_location?.header ??
              (param.injection_location ? false : DEFAULT_INJECTION.header),
          }),
          networking: param.networking ?? { type: 'unrestricted' },
        },
        secrets: { secret_value: param.secret_value },
      };
  }
}

/** Applies an update of the same auth type; omitted fields (and secrets) are kept. */
export function applyAuthUpdate(current: SplitAuth, param: AuthUpdateParam): SplitAuth {
  if (param.type !== current.auth.type) {
    throw invalidRequest(
      `auth.type: a credential's auth type cannot change (it is ${current.auth.type}, got ${param.type})`,
      { errorCode: 'invalid_auth_type_change' },
    );
  }
  const secrets: CredentialSecrets = { ...current.secrets };
  if (param.type === 'static_bearer' && current.auth.type === 'static_bearer') {
    checkImmutable('auth.mcp_server_url', current.auth.mcp_server_url, param.mcp_server_url);
    if (param.token) secrets.token = param.token;
    return { auth: current.auth, secrets };
  }
  if (param.type === 'mcp_oauth' && current.auth.type === 'mcp_oauth') {
    checkImmutable('auth.mcp_server_url', current.auth.mcp_server_url, param.mcp_server_url);
    if (param.access_token) secrets.access_token = param.access_token;
    const auth: McpOAuthAuth = {
      ...current.auth,
      expires_at: param.expires_at === undefined ? current.auth.expires_at : param.expires_at,
    };
    if (param.refresh === null) {
      auth.refresh = null;
      delete secrets.refresh_token;
      delete secrets.client_secret;
    } else if (param.refresh !== undefined) {
      auth.refresh = updateRefresh(auth, param.refresh, secrets);
    }
    return { auth, secrets };
  }
  if (param.type === 'environment_variable' && current.auth.type === 'environment_variable') {
    checkImmutable('auth.secret_name', current.auth.secret_name, param.secret_name);
    if (param.secret_value) secrets.secret_value = param.secret_value;
    const auth: EnvironmentVariableAuth = {
      ...current.auth,
      // Where the value may go only narrows (credential-reach.ts): an API key must not retarget it.
      injection_location: checkInjection(
        narrowInjection(current.auth.injection_location, param.injection_location),
      ),
      networking: narrowNetworking(current.auth.networking, param.networking),
    };
    return { auth, secrets };
  }
  throw invalidRequest('auth: unsupported auth type');
}

type RefreshUpdate = NonNullable<Extract<AuthUpdateParam, { type: 'mcp_oauth' }>['refresh']>;

function updateRefresh(auth: McpOAuthAuth, param: RefreshUpdate, secrets: CredentialSecrets) {
  const current = auth.refresh;
  if (!current) {
    throw invalidRequest(
      'auth.refresh: this credential has no refresh configuration to update; create a new credential with one',
    );
  }
  if (param.refresh_token) secrets.refresh_token = param.refresh_token;
  const nextAuth = param.token_endpoint_auth;
  if (nextAuth?.client_secret) secrets.client_secret = nextAuth.client_secret;
  if (nextAuth && nextAuth.type !== current.token_endpoint_auth.type && !nextAuth.client_secret) {
    if (!secrets.client_secret)
      throw invalidRequest(`auth.refresh.token_endpoint_auth.client_secret: required for ${nextAuth.type}`);
  }
  return {
    ...current,
    token_endpoint_auth: nextAuth ? { type: nextAuth.type } : current.token_endpoint_auth,
    // An empty scope clears the stored one (SDK docs).
    scope: param.scope === undefined ? current.scope : param.scope || null,
  };
}

/** Opens a credential for the harness: the public auth joined with its secrets. */
export function joinAuth(auth: CredentialAuth, secrets: CredentialSecrets): ResolvedAuth {
  switch (auth.type) {
    case 'static_bearer':
      return { ...auth, token: secrets.token ?? '' };
    case 'environment_variable':
      return { ...auth, secret_value: secrets.secret_value ?? '' };
    case 'mcp_oauth':
      return {
        ...auth,
        access_token: secrets.access_token ?? '',
        refresh: auth.refresh && {
          ...auth.refresh,
          refresh_token: secrets.refresh_token ?? null,
          token_endpoint_auth: {
            type: auth.refresh.token_endpoint_auth.type,
            client_secret:
              auth.refresh.token_endpoint_auth.type === 'none' ? null : (secrets.client_secret ?? null),
          },
        },
      };
  }
}

/** The key a credential is matched by: one live credential per MCP server URL or variable per vault. */
export function credentialTarget(auth: CredentialAuth): string {
  return auth.type === 'environment_variable' ? `env:${auth.secret_name}` : `url:${auth.mcp_server_url}`;
}

function checkImmutable(field: string, current: string, given: string | undefined): void {
  if (given !== undefined && given !== current)
    throw invalidRequest(`${field}: is immutable after create (it is ${JSON.stringify(current)})`);
}

function checkInjection(location: { body: boolean; header: boolean }) {
  if (!location.body && !location.header)
    throw invalidRequest('auth.injection_location: at least one of body or header must be true');
  return location;
}

function compact(secrets: Record<string, string | undefined>): CredentialSecrets {
  return Object.fromEntries(Object.entries(secrets).filter(([, value]) => value !== undefined));
}
