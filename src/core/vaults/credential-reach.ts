import { invalidRequest } from '../errors.js';
import type { CredentialNetworking, EnvironmentVariableAuth } from './vault.js';

/**
 * Where a credential's secret may go can only shrink after create. Whoever
 * holds an API key can update a credential but never read its value; if an
 * update could widen where the value is sent (a new host, or substitution in
 * bodies when it was header-only), that key holder could point the value at a
 * host they control and read it there (issue #12, finding 1). So:
 * - `mcp_server_url` (static_bearer, mcp_oauth) and `secret_name` are immutable;
 * - the OAuth token endpoint cannot be updated at all (the update schema has no field for it);
 * - `networking` may go from `unrestricted` to `limited`, or drop hosts, never add one;
 * - `injection_location` may turn a location off, never on.
 */
export function narrowNetworking(
  current: CredentialNetworking,
  next: CredentialNetworking | null | undefined,
): CredentialNetworking {
  if (next === undefined || next === null) return current;
  if (next.type === 'unrestricted') {
    if (current.type === 'unrestricted') return current;
    throw widening('auth.networking', 'it is limited; it cannot become unrestricted');
  }
  if (current.type === 'unrestricted') return next;
  const covered = current.allowed_hosts.map(hostPattern);
  for (const [index, host] of next.allowed_hosts.entries()) {
    const pattern = hostPattern(host);
    if (!covered.some((outer) => covers(outer, pattern)))
      throw widening(
        `auth.networking.allowed_hosts[${index}]`,
        `${JSON.stringify(host)} is not within the credential's hosts ${JSON.stringify(current.allowed_hosts)}`,
      );
  }
  return next;
}

export function narrowInjection(
  current: EnvironmentVariableAuth['injection_location'],
  next: { body?: boolean | undefined; header?: boolean | undefined } | undefined,
): EnvironmentVariableAuth['injection_location'] {
  const body = next?.body ?? current.body;
  const header = next?.header ?? current.header;
  if (body && !current.body) throw widening('auth.injection_location.body', 'it is false');
  if (header && !current.header) throw widening('auth.injection_location.header', 'it is false');
  return { body, header };
}

interface Pattern {
  name: string;
  wildcard: boolean;
}

function hostPattern(raw: string): Pattern {
  const text = raw.trim().toLowerCase().replace(/\.$/, '');
  return text.startsWith('*.') ? { name: text.slice(2), wildcard: true } : { name: text, wildcard: false };
}

/** Whether every host `inner` matches is matched by `outer` (a wildcard matches subdomains only). */
function covers(outer: Pattern, inner: Pattern): boolean {
  if (!outer.wildcard) return !inner.wildcard && inner.name === outer.name;
  return inner.name.endsWith(`.${outer.name}`) || (inner.wildcard && inner.name === outer.name);
}

function widening(field: string, why: string) {
  return invalidRequest(
    `${field}: where a credential's secret may be sent can only narrow after create (${why}); create a new credential instead`,
    { errorCode: 'credential_scope_widened' },
  );
}
