import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { addressPolicy, checkAddress } from '../../core/network/address-policy.js';
import type { SandboxSettings } from '../sandbox-settings.js';

/** How the default clone base's address is checked (docs/security.md, "Outbound requests"). */
export interface BaseAddressCheck {
  /** PADDOCK_ALLOW_PRIVATE_NETWORKS: private and host addresses pass; metadata never does. */
  allowPrivate: boolean;
  /** Test-only: the resolver (default: every address the system resolver gives). */
  resolve?: ((host: string) => Promise<string[]>) | undefined;
}

/** The default base is checked; a base the operator configured is their choice and is not. */
export function githubBaseCheck(settings: SandboxSettings): BaseAddressCheck | undefined {
  return settings.sandbox.githubBaseUrlConfigured
    ? undefined
    : { allowPrivate: settings.allowPrivateNetworks };
}

/**
 * For an http(s) base, resolves its host, checks every address with the one address policy and
 * returns the git configuration that makes git dial the address checked (`http.curloptResolve`),
 * so a second lookup cannot answer differently. Throws naming the refused address. Other schemes
 * (file://, ssh) name no address to check: they are the operator's own choice.
 */
export async function pinBaseAddress(
  baseUrl: string,
  check: BaseAddressCheck,
): Promise<Array<[string, string]>> {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return [];
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host) !== 0;
  const resolve = check.resolve ?? defaultResolve;
  const addresses = literal ? [host] : await resolve(host).catch(() => []);
  if (addresses.length === 0) throw new Error(`the repository host ${url.host} does not resolve`);
  // Built per clone: the host's interfaces can change while the server runs.
  const policy = addressPolicy({ allowPrivate: check.allowPrivate, hostAddresses: hostAddresses() });
  const allowed: string[] = [];
  for (const address of addresses) {
    const verdict = checkAddress(address, policy);
    if (!verdict.allowed)
      throw new Error(
        `the repository host ${url.host} is refused: ${verdict.reason} (PADDOCK_GITHUB_BASE_URL names the base; PADDOCK_ALLOW_PRIVATE_NETWORKS opens private ranges)`,
      );
    allowed.push(verdict.address);
  }
  const first = allowed[0];
  if (literal || first === undefined) return [];
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const dialed = first.includes(':') ? `[${first}]` : first;
  return [['http.curloptResolve', `${host}:${port}:${dialed}`]];
}

async function defaultResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
}

/** The host's own addresses: a base resolving to one of them would reach a host service. */
function hostAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) =>
    (entries ?? []).map((entry) => entry.address),
  );
}
