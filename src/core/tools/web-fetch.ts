import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ToolOutcome } from '../ports/sandbox.js';
import { isBlockedAddress } from './address-policy.js';

export interface WebFetchOptions {
  /** Operators may allow private ranges and loopback (e.g. an intranet). */
  allowPrivateNetworks: boolean;
  maxBytes: number;
  timeoutMs: number;
  allowedDomains?: readonly string[] | undefined;
  blockedDomains?: readonly string[] | undefined;
}

const fail = (message: string): ToolOutcome => ({
  content: [{ type: 'text', text: message }],
  isError: true,
});

/**
 * web_fetch runs on the server, not in the sandbox. It refuses loopback,
 * private and metadata addresses (checked after DNS resolution) unless the
 * operator allows them, and it never sends the server's credentials.
 */
export async function webFetch(
  input: Record<string, unknown>,
  options: WebFetchOptions,
  signal: AbortSignal,
) {
  const raw = input['url'];
  if (typeof raw !== 'string') return fail('web_fetch: input.url must be a string');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`web_fetch: not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return fail('web_fetch: only http and https URLs');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (options.blockedDomains?.some((domain) => matchesDomain(host, domain))) {
    return fail(`web_fetch: ${host} is blocked by this agent's configuration`);
  }
  if (options.allowedDomains && !options.allowedDomains.some((domain) => matchesDomain(host, domain))) {
    return fail(`web_fetch: ${host} is not in this agent's allowed_domains`);
  }
  if (!options.allowPrivateNetworks) {
    const addresses = isIP(host)
      ? [host]
      : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
    if (addresses.length === 0) return fail(`web_fetch: cannot resolve ${host}`);
    const blocked = addresses.find((address) => isBlockedAddress(address));
    if (blocked)
      return fail(
        `web_fetch: ${host} resolves to ${blocked}, a private or loopback address, which is blocked`,
      );
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(url, { signal: AbortSignal.any([signal, timeout]), redirect: 'error' });
    const body = await readLimited(response, options.maxBytes);
    const text = `HTTP ${response.status} ${response.statusText}\ncontent-type: ${response.headers.get('content-type') ?? ''}\n\n${body}`;
    return { content: [{ type: 'text' as const, text }], isError: !response.ok };
  } catch (error) {
    return fail(`web_fetch: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function matchesDomain(host: string, domain: string): boolean {
  const normalized = domain.toLowerCase().replace(/^\*\./, '');
  return host === normalized || host.endsWith(`.${normalized}`);
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  const text = Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
  return total >= maxBytes ? `${text}\n[truncated at ${maxBytes} bytes]` : text;
}
