import type { OutboundFetch } from '../ports/outbound-http.js';
import type { ToolOutcome } from '../ports/sandbox.js';
import { domainFilter, urlMatchesRule } from './domain-filter.js';

export interface WebFetchOptions {
  /**
   * The outbound client (src/outbound): it refuses loopback, private, metadata and the host's own
   * addresses on the address it dials, unless the operator allows private networks.
   */
  fetch: OutboundFetch;
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
 * web_fetch runs on the server, not in the sandbox: one GET, redirects reported with their location
 * rather than followed (fetching that is checked again), and never the server's credentials.
 */
export async function webFetch(
  input: Record<string, unknown>,
  options: WebFetchOptions,
  signal: AbortSignal,
): Promise<ToolOutcome> {
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
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await options.fetch(url, {
      method: 'GET',
      headers: { 'user-agent': 'Paddock-web_fetch/1', 'accept-encoding': 'identity', accept: '*/*' },
      redirect: 'manual',
      signal: AbortSignal.any([signal, timeout]),
    });
    const body = await readLimited(response, options.maxBytes);
    const location = response.headers.get('location');
    const contentType = response.headers.get('content-type') ?? '';
    const text = `HTTP ${response.status} ${response.statusText}\ncontent-type: ${contentType}${location ? `\nlocation: ${location}` : ''}\n\n${body}`;
    return { content: [{ type: 'text', text }], isError: response.status < 200 || response.status > 299 };
  } catch (error) {
    if (timeout.aborted && !signal.aborted) return fail(`web_fetch: timed out after ${options.timeoutMs} ms`);
    return fail(`web_fetch: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
  return total >= maxBytes ? `${text}\n[truncated at ${maxBytes} bytes]` : text;
}
