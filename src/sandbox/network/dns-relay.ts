import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { getServers } from 'node:dns';
import { isIP } from 'node:net';

export interface DnsUpstream {
  address: string;
  port: number;
}

/** `1.1.1.1`, `127.0.0.1:5353`, `[2001:db8::1]:53`; default: the host's own resolvers. */
export function parseDnsUpstreams(text: string | undefined): DnsUpstream[] {
  const entries = text ? text.split(',') : getServers();
  return entries
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      if (isIP(entry)) return { address: entry, port: 53 };
      const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry);
      if (!match || !isIP(match[1]!)) throw new Error(`not a DNS server address: ${JSON.stringify(entry)}`);
      return { address: match[1]!, port: Number(match[2]) };
    });
}

const QUERY_TIMEOUT_MS = 5_000;
const MAX_IN_FLIGHT = 256;

/**
 * Sandboxes with NAT resolve names through the host: the host's resolver is
 * often on loopback or a private address, both closed to sandboxes. This
 * relays each UDP query, byte for byte, from the gateway address to the
 * host's resolvers, and the answer back. It answers only on the gateway, so
 * only sandboxes reach it. Several Paddock processes may each bind it
 * (SO_REUSEADDR); any of them answers the same.
 */
export class DnsRelay {
  private inFlight = 0;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly upstreams: DnsUpstream[],
  ) {
    socket.on('message', (query, from) => this.relay(query, from));
    socket.on('error', () => {});
  }

  static async listen(gateway: string, upstreams: DnsUpstream[]): Promise<DnsRelay> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(53, gateway, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new DnsRelay(socket, upstreams);
  }

  /** Idempotent: a driver may be closed by its owner and again by whoever handed it over. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private relay(query: Buffer, from: RemoteInfo): void {
    const upstream = this.upstreams[0];
    if (!upstream || this.inFlight >= MAX_IN_FLIGHT || query.length < 12) return;
    this.inFlight++;
    const outbound = createSocket(isIP(upstream.address) === 6 ? 'udp6' : 'udp4');
    const done = () => {
      clearTimeout(timer);
      outbound.close();
      this.inFlight--;
    };
    const timer = setTimeout(done, QUERY_TIMEOUT_MS);
    outbound.on('error', done);
    outbound.once('message', (answer) => {
      this.socket.send(answer, from.port, from.address);
      done();
    });
    outbound.send(query, upstream.port, upstream.address);
  }
}
