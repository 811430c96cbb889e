import type { Clock } from '../core/clock.js';
import type { McpCredential, McpCredentialSource, OAuthTokens } from '../core/ports/mcp-credentials.js';
import type { OutboundFetch } from '../core/ports/outbound-http.js';
import { McpFailure } from './mcp-errors.js';
import { normalizeMcpUrl } from './mcp-url.js';
import { refreshOAuthToken } from './oauth-refresh.js';

/** Refresh a little early, so a token does not expire between check and use. */
const EXPIRY_SKEW_MS = 60_000;

/**
 * The credential (if any) a session's vaults hold for one MCP server URL,
 * and the headers it yields. Host-side only: nothing here reaches a sandbox.
 */
export class ServerAuth {
  private refreshed = false;
  /** Old and new tokens alike: a message may quote either. */
  private readonly known = new Set<string>();

  private constructor(
    private credential: McpCredential | undefined,
    private readonly store: McpCredentialSource,
    private readonly clock: Clock,
    /** Shared across sessions: one refresh per credential at a time, since refresh tokens may rotate. */
    private readonly inflight: Map<string, Promise<OAuthTokens>>,
    private readonly fetch: OutboundFetch,
  ) {}

  static async find(
    store: McpCredentialSource,
    vaultIds: readonly string[],
    serverUrl: string,
    clock: Clock,
    inflight: Map<string, Promise<OAuthTokens>>,
    fetch: OutboundFetch,
  ): Promise<ServerAuth> {
    let credentials: McpCredential[] = [];
    if (vaultIds.length > 0) {
      try {
        credentials = await store.resolve(vaultIds);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new McpFailure('authentication', `the session's vaults could not be read: ${message}`);
      }
    }
    const target = normalizeMcpUrl(serverUrl);
    // Vault order decides when two vaults hold a credential for the same server.
    const match = credentials.find(
      (credential) => normalizeMcpUrl(credential.auth.mcp_server_url) === target,
    );
    return new ServerAuth(match, store, clock, inflight, fetch);
  }

  get hasCredential(): boolean {
    return this.credential !== undefined;
  }

  /** Every secret value this auth knows, for scrubbing messages. */
  get secrets(): string[] {
    this.remember();
    return [...this.known];
  }

  private remember(): void {
    const auth = this.credential?.auth;
    if (auth?.type === 'static_bearer') this.known.add(auth.token);
    if (auth?.type === 'mcp_oauth') {
      this.known.add(auth.access_token);
      if (auth.refresh?.refresh_token) this.known.add(auth.refresh.refresh_token);
      if (auth.refresh?.token_endpoint_auth.client_secret)
        this.known.add(auth.refresh.token_endpoint_auth.client_secret);
    }
  }

  /** True once per connection attempt when an OAuth token could be refreshed after a 401. */
  canRefresh(): boolean {
    const auth = this.credential?.auth;
    return !this.refreshed && auth?.type === 'mcp_oauth' && Boolean(auth.refresh?.refresh_token);
  }

  async headers(): Promise<Record<string, string>> {
    const auth = this.credential?.auth;
    if (!auth) return {};
    if (auth.type === 'static_bearer') return { authorization: `Bearer ${auth.token}` };
    if (auth.type !== 'mcp_oauth') return {};
    const expiresAt = auth.expires_at ? Date.parse(auth.expires_at) : Number.POSITIVE_INFINITY;
    if (expiresAt - EXPIRY_SKEW_MS <= this.clock.now() && this.canRefresh()) await this.refresh();
    const current = this.credential?.auth;
    return current?.type === 'mcp_oauth' ? { authorization: `Bearer ${current.access_token}` } : {};
  }

  /** Refreshes the OAuth token, stores it sealed, and uses it from now on. */
  async refresh(): Promise<void> {
    const credential = this.credential;
    if (credential?.auth.type !== 'mcp_oauth') return;
    this.refreshed = true;
    const auth = credential.auth;
    this.remember();
    let pending = this.inflight.get(credential.id);
    if (!pending) {
      pending = (async () => {
        const tokens = await refreshOAuthToken(auth, this.clock.now(), this.fetch);
        await this.store.saveOAuthTokens(credential, tokens);
        return tokens;
      })().finally(() => this.inflight.delete(credential.id));
      this.inflight.set(credential.id, pending);
    }
    const tokens = await pending;
    this.credential = {
      ...credential,
      auth: {
        ...auth,
        access_token: tokens.accessToken,
        expires_at: tokens.expiresAt,
        refresh: auth.refresh && {
          ...auth.refresh,
          refresh_token: tokens.refreshToken ?? auth.refresh.refresh_token,
        },
      },
    };
    this.remember();
  }
}
