import { type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SandboxSecret } from '../../core/ports/sandbox.js';
import { type BodyBudget, BudgetExhausted } from './body-budget.js';
import { normalizeHostName } from './egress-policy.js';
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
  /** The host and port the policy checked, which a Host header must name. */
  checked: { host: string; port: number };
  /** The sandbox's shared cap on buffered bodies (body-budget.ts); none: only the per-body cap. */
  budget?: BodyBudget | undefined;
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
  if (target.secrets.length > 0) {
    // A secret goes only to the host it was checked for: a Host header naming another one would
    // let a shared front end (a CDN, a virtual-host server) route the value elsewhere (#12, finding 11).
    const misdirected = misdirectedHost(req, target.path, target.checked);
    if (misdirected) {
      target.log?.(`paddock: egress refused: ${misdirected}`);
      return refuseUnread(req, res, 421, misdirected);
    }
  }
  const headers = substituteHeaders(withoutHopByHop(req.headers), target.secrets);
  let body: Buffer | undefined;
  if (target.secrets.some((secret) => secret.body) && hasBody(req)) {
    const reservation = target.budget?.reservation();
    res.once('close', () => reservation?.release());
    try {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > MAX_SUBSTITUTED_BODY_BYTES) throw new BodyTooLarge();
      const budget = target.budget;
      if (budget && reservation && !reservation.grow(declared)) throw new BudgetExhausted(budget.limitBytes);
      const read = budget && reservation ? { reservation, limitBytes: budget.limitBytes } : undefined;
      body = substituteBody(await readBody(req, MAX_SUBSTITUTED_BODY_BYTES, read), target.secrets);
    } catch (error) {
      if (!(error instanceof BodyTooLarge || error instanceof BudgetExhausted)) return void res.destroy();
      reservation?.release(); // nothing of this body is kept while the rest is read and dropped
      if (error instanceof BudgetExhausted)
        target.log?.(`paddock: egress to ${target.authority}: ${error.message}`);
      return refuseUnread(req, res, error instanceof BodyTooLarge ? 413 : 503, error.message);
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

/**
 * Why a request's Host header does not name the checked authority, or
 * undefined when it does: same name (case and a trailing dot aside), the same
 * port if it names one, and a target in origin form.
 */
export function misdirectedHost(
  req: IncomingMessage,
  path: string,
  checked: RelayTarget['checked'],
): string | undefined {
  const given = req.headers.host ?? '';
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(given.trim());
  const sameName = match !== null && normalizeHostName(match[1] ?? '') === normalizeHostName(checked.host);
  // No port names whatever port was dialed (clients often omit a non-default one); a port must match.
  const samePort = match !== null && (match[2] === undefined || Number(match[2]) === checked.port);
  const originForm = path.startsWith('/');
  if (sameName && samePort && originForm) return undefined;
  const authority = `${checked.host}:${checked.port}`;
  return originForm
    ? `Host ${JSON.stringify(given)} is not ${authority}, the host this request was checked for; a request carrying a secret goes only there`
    : `a request carrying a secret must use an origin-form target ("/path"), not ${JSON.stringify(path)}`;
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

/**
 * How long a refused request's unread body is read and dropped before its connection is cut
 * anyway: a client that keeps sending past it holds nothing in memory but a relay slot.
 */
export const REFUSED_BODY_DRAIN_MS = 30_000;

/**
 * Refuses a request whose body may still be arriving, then closes the connection, but only
 * once that body has been read and dropped (or REFUSED_BODY_DRAIN_MS passed). The answer is sent
 * whole at once (its length declared), so the client can read it while still uploading. Closing
 * with unread bytes makes the kernel reset the connection, and the relay in front of the proxy
 * (socat) then resets the client's, which reports a send failure instead of this answer: under
 * the combined floods every refused 10 MiB upload could end that way, and a sandbox waiting for
 * its 503 waited forever (issue #12, findings 9 and 11).
 */
export function refuseUnread(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
): void {
  if (res.headersSent) return void res.destroy();
  const text = `${message}\n`;
  res.shouldKeepAlive = false;
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
  res.write(text);
  const cut = setTimeout(() => res.destroy(), REFUSED_BODY_DRAIN_MS);
  const end = () => {
    clearTimeout(cut);
    if (!res.writableEnded) res.end();
  };
  res.once('close', () => clearTimeout(cut));
  if (req.complete) {
    end();
    return;
  }
  req.once('end', end);
  req.once('close', end);
  req.resume();
}

export function refuse(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(`${message}\n`);
}
