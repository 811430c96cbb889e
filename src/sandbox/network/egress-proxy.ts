import { lookup } from 'node:dns/promises';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { addressPolicy, checkAddress, normalizeAddress } from '../../core/network/address-policy.js';
import type { SandboxSecret } from '../../core/ports/sandbox.js';
import type { BodyBudget } from './body-budget.js';
import { type EgressPolicy, unbracketHost } from './egress-policy.js';
import { refuse, relayRequest } from './relay-request.js';
import { secretsForHost } from './secret-substitution.js';
import type { TlsInterceptor } from './tls-interceptor.js';

/** How the proxy resolves names and opens connections; tests replace both (never real addresses). */
export interface EgressNet {
  resolve(host: string): Promise<string[]>;
  dial(address: string, port: number): Socket;
}

export const systemNet: EgressNet = {
  resolve: async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address),
  dial: (address, port) => connect({ host: address, port }),
};

export interface EgressProxyOptions {
  policy: EgressPolicy;
  /** PADDOCK_ALLOW_PRIVATE_NETWORKS: resolved loopback/private/metadata addresses are allowed too. */
  allowPrivateNetworks: boolean;
  net?: EgressNet | undefined;
  log?: ((message: string) => void) | undefined;
  /** Placeholders replaced by values in requests to each secret's hosts (docs/credentials.md). */
  secrets?: readonly SandboxSecret[] | undefined;
  /** Terminates CONNECT tunnels to hosts a secret applies to; without it they stay blind tunnels. */
  interceptor?: TlsInterceptor | undefined;
  /** This sandbox's cap on bodies buffered for substitution, shared by plain and intercepted requests. */
  budget?: BodyBudget | undefined;
}

/**
 * The only way out of a `limited` sandbox: an HTTP proxy (CONNECT tunnels
 * and absolute-URI requests) on a host unix socket, enforcing the
 * environment's allow-list. A name is allowed first, then resolved, and every
 * resolved address must be public (unless private networks are allowed); the
 * connection goes to the checked address, so a DNS answer that changes
 * between check and connect (rebinding) cannot reach a blocked range.
 * Secrets are substituted in plain-http requests, and in CONNECT tunnels to
 * their hosts by TLS interception; other tunnels are relayed blind.
 */
export class EgressProxy {
  private readonly sockets = new Set<Duplex>();

  private constructor(
    private readonly server: Server,
    readonly socketPath: string,
  ) {}

  static async listen(socketPath: string, options: EgressProxyOptions): Promise<EgressProxy> {
    const net = options.net ?? systemNet;
    const server = createServer((req, res) => void forwardRequest(req, res, options, net));
    const proxy = new EgressProxy(server, socketPath);
    server.on(
      'connect',
      (req: IncomingMessage, client: Duplex, head: Buffer) =>
        void proxy.tunnel(req, client, head, options, net),
    );
    server.on('connection', (socket: Socket) => proxy.track(socket));
    await rm(socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.socketPath, { force: true });
  }

  private track<T extends Duplex>(socket: T): T {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }

  private async tunnel(
    req: IncomingMessage,
    client: Duplex,
    head: Buffer,
    options: EgressProxyOptions,
    net: EgressNet,
  ): Promise<void> {
    client.on('error', () => client.destroy());
    const target = parseAuthority(req.url ?? '');
    const address = target && (await checkTarget(target.host, target.port, options, net));
    if (!target || typeof address !== 'string') {
      const why = typeof address === 'object' ? address.refused : 'CONNECT needs host:port';
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n${why}\n`);
      return;
    }
    const secrets = secretsForHost(options.secrets ?? [], target.host);
    if (secrets.length > 0 && options.interceptor) {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      const intercepted = {
        host: target.host,
        port: target.port,
        dial: () => this.track(net.dial(address, target.port)),
        secrets,
        allSecrets: options.secrets ?? [],
        budget: options.budget,
      };
      await options.interceptor.intercept(client, head, intercepted).catch((error: unknown) => {
        options.log?.(`paddock: egress interception for ${target.host} failed: ${String(error)}`);
        client.destroy();
      });
      return;
    }
    const upstream = this.track(net.dial(address, target.port));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      client.destroy();
    });
    client.once('close', () => upstream.destroy());
  }
}

async function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: EgressProxyOptions,
  net: EgressNet,
): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
    if (url.protocol !== 'http:') throw new Error('not http');
  } catch {
    return refuse(res, 400, 'only absolute http:// URLs (or CONNECT) go through this proxy');
  }
  const port = Number(url.port || 80);
  const address = await checkTarget(url.hostname, port, options, net);
  if (typeof address !== 'string') return refuse(res, 403, address.refused);
  await relayRequest(req, res, {
    authority: `${url.hostname}:${port}`,
    path: `${url.pathname}${url.search}`,
    connect: () => net.dial(address, port),
    secrets: secretsForHost(options.secrets ?? [], url.hostname),
    allSecrets: options.secrets ?? [],
    checked: { host: url.hostname, port },
    budget: options.budget,
    log: options.log,
  });
}

/**
 * The address to connect to, or why not. Every address (a literal in the
 * request or a DNS answer) is normalized by the shared address policy before
 * it is checked, and the normalized form is what gets dialed: `[::ffff:a.b.c.d]`,
 * `[::ffff:c000:202]`, NAT64 or inet_aton spellings of a blocked or host
 * address are that address (issue #12, finding 2).
 */
async function checkTarget(
  host: string,
  port: number,
  options: EgressProxyOptions,
  net: EgressNet,
): Promise<string | { refused: string }> {
  const name = unbracketHost(host);
  if (!options.policy.allows(name, port)) {
    options.log?.(`paddock: egress refused: ${name}:${port} is not allowed`);
    return { refused: `${name}:${port} is not in this environment's allowed hosts` };
  }
  const literal = normalizeAddress(name);
  let addresses: string[];
  try {
    addresses = literal ? [literal.address] : await net.resolve(name);
  } catch {
    return { refused: `${name} does not resolve` };
  }
  if (addresses.length === 0) return { refused: `${name} does not resolve` };
  // Built per check: the host's interfaces can change while sandboxes live (DHCP, a new VPN).
  const policy = addressPolicy({
    allowPrivate: options.allowPrivateNetworks,
    hostAddresses: hostAddresses(),
  });
  const verdicts = addresses.map((address) => checkAddress(address, policy, literal ? undefined : name));
  const refused = verdicts.filter((verdict) => !verdict.allowed);
  if (refused.length > 0) {
    const reasons = refused.map((verdict) => (verdict.allowed ? '' : verdict.reason)).join('; ');
    options.log?.(`paddock: egress refused: ${name}: ${reasons}`);
    return { refused: `${name} resolves to a loopback, private or metadata address` };
  }
  const first = verdicts[0];
  return first?.allowed ? first.address : { refused: `${name} does not resolve` };
}

/** The host's own addresses (e.g. its public IP): services bound there are host services too. */
function hostAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) =>
    (entries ?? []).map((entry) => entry.address),
  );
}

function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(authority);
  if (!match) return undefined;
  const port = Number(match[2]);
  return port > 0 && port < 65536 ? { host: match[1]!, port } : undefined;
}
