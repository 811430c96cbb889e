import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { ToolOutcome } from '../ports/sandbox.js';
import { isBlockedAddress } from './address-policy.js';
import { domainFilter, urlMatchesRule } from './domain-filter.js';

export interface WebFetchOptions {
  /** Operators may allow private ranges and loopback (e.g. an intranet). */
  allowPrivateNetworks: boolean;
  maxBytes: number;
  timeoutMs: number;
  allowedDomains?: readonly string[] | undefined;
  blockedDomains?: readonly string[] | undefined;
  /** How names are resolved (tests inject one; never real DNS in tests). Checked either way. */
  lookup?: LookupFunction | undefined;
}

const fail = (message: string): ToolOutcome => ({
  content: [{ type: 'text', text: message }],
  isError: true,
});

/**
 * web_fetch runs on the server, not in the sandbox. It refuses loopback,
 * private and metadata addresses (checked on the address it connects to)
 * unless the operator allows them, and it never sends the server's credentials.
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
  const rules = domainFilter(options.allowedDomains, options.blockedDomains);
  if (rules.blocked.some((rule) => urlMatchesRule(url, rule))) {
    return fail(`web_fetch: ${host} is blocked by this agent's configuration`);
  }
  if (rules.allowed && !rules.allowed.some((rule) => urlMatchesRule(url, rule))) {
    return fail(`web_fetch: ${host} is not in this agent's allowed_domains`);
  }
  if (!options.allowPrivateNetworks && isIP(host) && isBlockedAddress(host))
    return fail(`web_fetch: ${host} is a private or loopback address, which is blocked`);
  try {
    const response = await get(url, options, signal);
    const location = response.location ? `\nlocation: ${response.location}` : '';
    const text = `HTTP ${response.status} ${response.statusText}\ncontent-type: ${response.contentType}${location}\n\n${response.body}`;
    return {
      content: [{ type: 'text' as const, text }],
      isError: response.status < 200 || response.status > 299,
    };
  } catch (error) {
    return fail(`web_fetch: ${error instanceof Error ? error.message : String(error)}`);
  }
}

interface FetchedPage {
  status: number;
  statusText: string;
  contentType: string;
  location: string | undefined;
  body: string;
}

/**
 * One GET, redirects not followed (a redirect is reported with its location, and fetching that
 * is checked again). Names are resolved and checked in the connection's own lookup, so the
 * address checked is the address dialed: a DNS answer that changes in between cannot reach a
 * blocked range.
 */
function get(url: URL, options: WebFetchOptions, signal: AbortSignal): Promise<FetchedPage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'Paddock-web_fetch/1', 'accept-encoding': 'identity', accept: '*/*' },
        lookup: options.allowPrivateNetworks ? options.lookup : guardedLookup(options.lookup ?? dnsLookup),
        signal,
      },
      (response) => {
        readLimited(response, options.maxBytes).then(
          (body) =>
            resolve({
              status: response.statusCode ?? 0,
              statusText: response.statusMessage ?? '',
              contentType: String(response.headers['content-type'] ?? ''),
              location: response.headers.location,
              body,
            }),
          reject,
        );
      },
    );
    const timer = setTimeout(
      () => request.destroy(new Error(`timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.once('close', () => clearTimeout(timer));
    request.once('error', reject);
    request.end();
  });
}

/** A lookup that fails when any address a name resolves to is loopback, private or metadata. */
function guardedLookup(resolve: LookupFunction): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const blocked = list.find((entry) => isBlockedAddress(entry.address));
      if (list.length === 0 || blocked) {
        const why = blocked
          ? `${hostname} resolves to ${blocked.address}, a private or loopback address, which is blocked`
          : `cannot resolve ${hostname}`;
        return callback(Object.assign(new Error(why), { code: 'EBLOCKED' }), '', 0);
      }
      if (lookupOptions.all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}

async function readLimited(response: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    total += buffer.length;
    if (total >= maxBytes) break;
  }
  response.destroy();
  const text = Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
  return total >= maxBytes ? `${text}\n[truncated at ${maxBytes} bytes]` : text;
}
