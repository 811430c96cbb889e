import { type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SandboxSecret } from '../../core/ports/sandbox.js';
import {
  BodyTooLarge,
  MAX_SUBSTITUTED_BODY_BYTES,
  readBody,
  scrubSecretValues,
  substituteBody,
  substituteHeaders,
} from './secret-substitution.js';

/** Headers that describe one connection, not the request (RFC 9110 §7.6.1), plus the proxy's own. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
];

export interface RelayTarget {
  /** `host[:port]` for messages. */
  authority: string;
  /** Path and query, as sent upstream. */
  path: string;
  /** Opens the connection to the already-checked address (plain TCP or TLS). */
  connect(): Socket;
  /** The secrets that apply to this host (already filtered); empty: passed through unchanged. */
  secrets: readonly SandboxSecret[];
  /** Every secret of the sandbox, to scrub messages with. */
  allSecrets: readonly SandboxSecret[];
  log?: ((message: string) => void) | undefined;
}

/**
 * Sends one request upstream and its answer back. Placeholders of the
 * secrets that apply are replaced in header values and (buffered, up to
 * MAX_SUBSTITUTED_BODY_BYTES) in the body; anything else goes verbatim.
 */
export async function relayRequest(
  req: IncomingMessage,
  res: ServerResponse,
  target: RelayTarget,
): Promise<void> {
  const headers = substituteHeaders(withoutHopByHop(req.headers), target.secrets);
  let body: Buffer | undefined;
  if (target.secrets.some((secret) => secret.body) && hasBody(req)) {
    try {
      if (Number(req.headers['content-length'] ?? 0) > MAX_SUBSTITUTED_BODY_BYTES) throw new BodyTooLarge();
      body = substituteBody(await readBody(req), target.secrets);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) return void res.destroy();
      res.shouldKeepAlive = false;
      return refuse(res, 413, error.message);
    }
    delete headers['transfer-encoding'];
    headers['content-length'] = String(body.length);
  }
  const upstream = request(
    { method: req.method, path: target.path, headers, createConnection: () => target.connect() },
    (response) => {
      res.writeHead(response.statusCode ?? 502, withoutHopByHop(response.headers));
      response.pipe(res);
      response.once('error', () => res.destroy());
    },
  );
  let clientGone = false;
  res.once('close', () => {
    clientGone = !res.writableFinished;
    if (clientGone) upstream.destroy();
  });
  upstream.on('error', (error) => {
    if (clientGone) return;
    const reason = scrubSecretValues(error.message, target.allSecrets);
    target.log?.(`paddock: egress to ${target.authority} failed: ${reason}`);
    refuse(res, 502, `upstream request to ${target.authority} failed: ${reason}`);
  });
  if (body) upstream.end(body);
  else req.pipe(upstream);
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (!HOP_BY_HOP.includes(name) && !named.includes(name)) out[name] = value;
  return out;
}

export function refuse(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(`${message}\n`);
}
