import { addressPolicy, checkAddress, normalizeHostName } from '../network/address-policy.js';

/**
 * Why `url` may not be a webhook endpoint, or undefined when it may. `https://` only, unless the
 * operator opened private networks (PADDOCK_ALLOW_PRIVATE_NETWORKS), which also admits plain
 * `http://` for local development. An IP literal (or `localhost`) is checked against the address
 * policy here; a name is checked on every address it resolves to when a delivery connects
 * (src/outbound), since DNS may change after the endpoint is written.
 */
export function checkEndpointUrl(url: string, allowPrivate: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol !== 'https:' && !(allowPrivate && parsed.protocol === 'http:'))
    return allowPrivate
      ? 'must be an https:// or http:// URL'
      : 'must be an https:// URL (plain http:// only with PADDOCK_ALLOW_PRIVATE_NETWORKS=true)';
  if (parsed.username || parsed.password) return 'must not carry credentials';
  const host = normalizeHostName(parsed.hostname);
  const policy = addressPolicy({ allowPrivate });
  const literal = host === 'localhost' || host.endsWith('.localhost') ? '127.0.0.1' : host;
  const verdict = checkAddress(literal, policy);
  if (!verdict.allowed && verdict.category !== 'invalid')
    return `${verdict.reason} (loopback, private and metadata addresses need PADDOCK_ALLOW_PRIVATE_NETWORKS=true; metadata never)`;
  return undefined;
}
