import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { HelperChild } from './helper-child.js';

/** A header is `<spawn id> <slot> <token>\n`: far below this. */
const MAX_HEADER_BYTES = 256;
/** A connection that names no spawn within this is dropped (nothing legitimate is that slow). */
const HEADER_TIMEOUT_MS = 30_000;
const ACCEPT_BACKLOG = 4096;

/**
 * The server's end of the children's stdio: a Unix socket in the abstract
 * namespace (no file to clean up; unreachable from a sandbox, which has its own
 * network namespace). Any local process of the host's network namespace can
 * connect, so a connection is given to a spawn only if its header carries that
 * spawn's random token, and only for a slot still waiting; anything else is closed.
 */
export class StdioListener {
  readonly path = `\0paddock-spawn-${process.pid}-${randomBytes(8).toString('hex')}`;
  private readonly server: Server;
  private readonly spawns = new Map<number, HelperChild>();

  private constructor() {
    this.server = createServer((socket) => this.accept(socket));
    // The listener alone keeps no process alive (a CLI run or a shutdown exits as before).
    this.server.unref();
  }

  static open(): Promise<StdioListener> {
    const listener = new StdioListener();
    return new Promise((resolve, reject) => {
      listener.server.once('error', reject);
      // A burst of sandbox starts connects three sockets per spawn: a deep accept queue (the
      // kernel caps it at net.core.somaxconn), and the helper retries when it is full anyway.
      listener.server.listen({ path: listener.path, backlog: ACCEPT_BACKLOG }, () => {
        listener.server.off('error', reject);
        resolve(listener);
      });
    });
  }

  /** Expects the sockets of `child` until it closes. */
  expect(child: HelperChild): void {
    this.spawns.set(child.spawnId, child);
    child.once('close', () => this.spawns.delete(child.spawnId));
  }

  private accept(socket: Socket): void {
    let header = Buffer.alloc(0);
    socket.setTimeout(HEADER_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => {});
    const onData = (chunk: Buffer) => {
      header = Buffer.concat([header, chunk]);
      const newline = header.indexOf(10);
      if (newline < 0) {
        if (header.length > MAX_HEADER_BYTES) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.setTimeout(0);
      const child = this.claim(header.subarray(0, newline).toString('latin1'));
      if (!child) return void socket.destroy();
      child.child.attach(child.slot, socket, header.subarray(newline + 1));
    };
    socket.on('data', onData);
  }

  private claim(line: string): { child: HelperChild; slot: number } | undefined {
    const [id, slot, token] = line.split(' ');
    const child = this.spawns.get(Number(id));
    if (!child || token === undefined || !sameToken(token, child.token)) return undefined;
    const index = Number(slot);
    return Number.isInteger(index) && child.wants(index) ? { child, slot: index } : undefined;
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
