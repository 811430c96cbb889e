import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type AddressPolicyOptions, checkAddress } from '../core/network/address-policy.js';
import type { OutboundFetch } from '../core/ports/outbound-http.js';
import { checkedLookup, OutboundRefused, type PolicySource, policySource } from './checked-lookup.js';
import { hostInterfaceAddresses } from './host-addresses.js';

export interface OutboundClientOptions extends Omit<AddressPolicyOptions, 'hostAddresses'> {
  /** How names are resolved (tests inject one; never real DNS in tests). Checked either way. */
  lookup?: LookupFunction | undefined;
  /** The server's own addresses; os.networkInterfaces() unless a test injects them. */
  hostAddresses?: (() => readonly string[]) | undefined;
  /** https trusts only these CA certificates (PEM) instead of the system's: a tunnel's certificates. */
  ca?: readonly string[] | undefined;
  /**
   * Every request is dialed to this address instead of the URL's host (a tunnel's gateway). A
   * gateway named by host name is resolved through the checked lookup, so the caller lists it in
   * `allowedPrivateHosts` when it is private. TLS still names and verifies the URL's host, and the
   * Host header is the URL's.
   */
  dialVia?: { host: string; port: number } | undefined;
}

type Dial = OutboundClientOptions['dialVia'];

const MAX_REDIRECTS = 20;
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The one outbound HTTP client: a `fetch` over node:http/https whose connections resolve names
 * through a lookup that checks every address against the address policy (checked-lookup.ts), and
 * whose IP-literal URLs (which skip the lookup) are checked before dialing. Redirects are followed
 * (or not, as `redirect` says) hop by hop, each hop checked the same way. Keep-alive sockets are
 * reused only for the same origin, and were checked when they connected.
 */
export function createOutboundFetch(options: OutboundClientOptions): OutboundFetch {
  const source = policySource(
    { allowPrivate: options.allowPrivate, allowedPrivateHosts: options.allowedPrivateHosts },
    options.hostAddresses ?? hostInterfaceAddresses,
  );
  source.current(); // an invalid allow-list entry (a bad CIDR) fails here, at start-up
  const lookup = checkedLookup(source, options.lookup);
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, lookup } as ConstructorParameters<typeof HttpAgent>[0]),
    'https:': new HttpsAgent({
      keepAlive: true,
      lookup,
      ...(options.ca ? { ca: [...options.ca] } : {}),
    } as ConstructorParameters<typeof HttpsAgent>[0]),
  };
  const dial = options.dialVia;
  return async (input, init) => {
    const request = new Request(input, init);
    // Read once: a redirect that keeps the body (307/308) sends it again.
    let hop: Hop = {
      url: new URL(request.url),
      method: request.method,
      headers: new Headers(request.headers),
      body: request.body === null ? undefined : Buffer.from(await request.arrayBuffer()),
    };
    for (let hops = 0; ; hops++) {
      const response = await send(hop, request.signal, source, lookup, agents, dial);
      const location = response.headers.get('location');
      if (request.redirect === 'manual' || !isRedirect(response.status) || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      if (request.redirect === 'error')
        throw new TypeError(`redirected to ${location}, and redirect is 'error'`);
      if (hops >= MAX_REDIRECTS) throw new TypeError(`more than ${MAX_REDIRECTS} redirects`);
      hop = redirected(hop, response.status, new URL(location, hop.url));
    }
  };
}

/** One request on the way: the first, or a redirect's. */
interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body: Buffer | undefined;
}

const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

/** The next hop, as fetch builds it: 303 (and 301/302 after POST) become GET without a body. */
function redirected(previous: Hop, status: number, target: URL): Hop {
  const toGet = status === 303 || ((status === 301 || status === 302) && previous.method === 'POST');
  const headers = new Headers(previous.headers);
  // Credentials do not follow a redirect to another origin.
  if (target.origin !== previous.url.origin) {
    headers.delete('authorization');
    headers.delete('cookie');
  }
  if (toGet) {
    headers.delete('content-type');
    headers.delete('content-length');
  }
  return {
    url: target,
    method: toGet && previous.method !== 'HEAD' ? 'GET' : previous.method,
    headers,
    body: toGet ? undefined : previous.body,
  };
}

function send(
  hop: Hop,
  signal: AbortSignal,
  source: PolicySource,
  lookup: LookupFunction,
  agents: Record<'http:' | 'https:', HttpAgent>,
  dial: Dial,
): Promise<Response> {
  const { url, body } = hop;
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new TypeError(`only http and https URLs, not ${url.protocol}`));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // net.connect dials an IP literal without calling the lookup: check it here instead.
  if (isIP(host) && dial === undefined) {
    const verdict = checkAddress(host, source.current(), host);
    if (!verdict.allowed) return Promise.reject(new OutboundRefused(verdict.reason));
  }
  const headers: Record<string, string> = {};
  hop.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (body !== undefined) headers['content-length'] = String(body.length);
  if (dial) headers['host'] = url.host;
  if (signal.aborted) return Promise.reject(signal.reason);
  const transport = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const outgoing = transport(
      url,
      {
        method: hop.method,
        headers,
        agent: agents[url.protocol as 'http:' | 'https:'],
        signal,
        ...(dial ? { hostname: dial.host, port: dial.port, servername: host } : { lookup }),
      },
      (incoming) => resolve(toResponse(incoming, hop)),
    );
    outgoing.once('error', (error) => reject(signal.aborted ? signal.reason : error));
    outgoing.end(body);
  });
}

function toResponse(incoming: IncomingMessage, hop: Hop): Response {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) headers.append(raw[index]!, raw[index + 1]!);
  const status = incoming.statusCode ?? 0;
  const empty = NULL_BODY_STATUSES.has(status) || hop.method === 'HEAD';
  if (empty) incoming.resume();
  const response = new Response(empty ? null : (Readable.toWeb(decoded(incoming)) as ReadableStream), {
    status,
    statusText: incoming.statusMessage ?? '',
    headers,
  });
  Object.defineProperty(response, 'url', { value: hop.url.href });
  return response;
}

/** The body as fetch gives it: content-encoding undone. */
function decoded(incoming: IncomingMessage): Readable {
  const encoding = String(incoming.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (!decoder) return incoming;
  incoming.once('error', (error) => decoder.destroy(error));
  return incoming.pipe(decoder);
}
