import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect, rootCertificates, TLSSocket } from 'node:tls';
import type { SandboxSecret } from '../../core/ports/sandbox.js';
import type { BodyBudget } from './body-budget.js';
import type { EgressCa } from './egress-ca.js';
import { unbracketHost } from './egress-policy.js';
import { misdirectedHost, refuse, relayRequest } from './relay-request.js';
import { scrubSecretValues, substituteHeaders } from './secret-substitution.js';

export interface InterceptTarget {
  host: string;
  port: number;
  /** A TCP connection to the already-checked address. */
  dial(): Socket;
  /** The secrets that apply to `host`. */
  secrets: readonly SandboxSecret[];
  allSecrets: readonly SandboxSecret[];
  /** The sandbox's cap on bodies buffered for substitution. */
  budget?: BodyBudget | undefined;
}

/**
 * TLS interception for CONNECT tunnels to hosts a secret applies to: TLS
 * toward the sandbox ends here, with a leaf certificate for the host signed by
 * the Paddock egress CA; each HTTP/1.1 request inside is relayed (with
 * placeholders substituted) over a new TLS connection to the real host,
 * whose certificate is verified against Node's CAs plus the operator's extra
 * bundle. Only http/1.1 is offered (ALPN), so clients do not try HTTP/2.
 */
export class TlsInterceptor {
  private readonly server: Server;
  private readonly targets = new WeakMap<Duplex, InterceptTarget>();
  private readonly upstreamCa: string[] | undefined;
  private readonly log: ((message: string) => void) | undefined;

  constructor(
    private readonly ca: EgressCa,
    options: { extraCa?: string | undefined; log?: ((message: string) => void) | undefined },
  ) {
    this.log = options.log;
    this.upstreamCa = options.extraCa ? [...rootCertificates, options.extraCa] : undefined;
    this.server = createServer((req, res) => {
      const target = this.targets.get(req.socket);
      if (!target) return refuse(res, 500, 'no tunnel for this connection');
      void relayRequest(req, res, {
        authority: `${target.host}:${target.port}`,
        path: req.url ?? '/',
        connect: () => this.connectUpstream(target),
        secrets: target.secrets,
        allSecrets: target.allSecrets,
        // The leaf certificate (SNI) and the upstream connection are for target.host: so must Host be.
        checked: { host: target.host, port: target.port },
        budget: target.budget,
        log: options.log,
      });
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.relayUpgrade(req, socket, head),
    );
  }

  /** Takes over a CONNECT tunnel that was already answered with 200. */
  async intercept(client: Duplex, head: Buffer, target: InterceptTarget): Promise<void> {
    const secureContext = await this.ca.contextFor(unbracketHost(target.host));
    if (head.length > 0) client.unshift(head);
    const tls = new TLSSocket(client as Socket, {
      isServer: true,
      secureContext,
      ALPNProtocols: ['http/1.1'],
    });
    tls.on('error', () => tls.destroy());
    client.once('close', () => tls.destroy());
    this.targets.set(tls, target);
    this.server.emit('connection', tls);
  }

  private connectUpstream(target: InterceptTarget): Socket {
    const host = unbracketHost(target.host);
    return connect({
      socket: target.dial(),
      host,
      ...(isIP(host) ? {} : { servername: host }),
      ALPNProtocols: ['http/1.1'],
      ...(this.upstreamCa ? { ca: this.upstreamCa } : {}),
    });
  }

  /** WebSocket and other upgrades: headers substituted, then bytes relayed both ways. */
  private relayUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = this.targets.get(req.socket);
    if (!target) return void socket.destroy();
    const misdirected = misdirectedHost(req, req.url ?? '', { host: target.host, port: target.port });
    if (misdirected) {
      this.log?.(`paddock: egress refused: ${misdirected}`);
      socket.end(`HTTP/1.1 421 Misdirected Request\r\ncontent-type: text/plain\r\n\r\n${misdirected}\n`);
      return;
    }
    const upstream = this.connectUpstream(target);
    const headers = substituteHeaders(req.headers, target.secrets);
    const lines = Object.entries(headers).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value ?? '']).map((entry) => `${name}: ${entry}\r\n`),
    );
    upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${lines.join('')}\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
    upstream.on('error', (error) => {
      const reason = scrubSecretValues(error.message, target.allSecrets);
      this.log?.(`paddock: egress upgrade to ${target.host}:${target.port} failed: ${reason}`);
      socket.destroy();
    });
    socket.on('error', () => upstream.destroy());
    socket.once('close', () => upstream.destroy());
  }
}
