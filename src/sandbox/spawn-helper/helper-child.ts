import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';

export type StdioKind = 'pipe' | 'ignore';

/**
 * A child spawned by the spawn helper, as the server sees it: the subset of
 * `ChildProcess` the sandbox code uses (`pid`, `stdin`/`stdout`/`stderr`/`stdio[n]`,
 * `kill`, `exitCode`/`signalCode`, and the `spawn`, `error`, `exit` and `close` events).
 * It is returned at once; its streams work from the start: writes wait for
 * the stdin socket, reads start when the output sockets connect. The sockets
 * are the child's own fds (no byte goes through the helper).
 */
export class HelperChild extends EventEmitter {
  pid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly stdio: (Writable | Readable | null)[];
  private readonly sockets: (Socket | undefined)[] = [];
  private readonly waiting: ((socket: Socket | undefined) => void)[][] = [];
  private readonly outputsOpen = new Set<number>();
  /** Output slots whose end has been pushed. */
  private readonly eof = new Set<number>();
  private exited = false;
  private closed = false;
  private stdinReady = false;
  /** Signals sent before the pid was known; delivered once it is. */
  private early: { signal: NodeJS.Signals | number; group: boolean }[] = [];

  constructor(
    readonly spawnId: number,
    readonly token: string,
    readonly kinds: StdioKind[],
    readonly detached: boolean,
  ) {
    super();
    this.stdio = kinds.map((kind, slot) => {
      if (kind !== 'pipe') return null;
      if (slot === 0) return this.input();
      this.outputsOpen.add(slot);
      return this.output(slot);
    });
  }

  get stdin(): Writable | null {
    return (this.stdio[0] as Writable | null | undefined) ?? null;
  }
  get stdout(): Readable | null {
    return (this.stdio[1] as Readable | null | undefined) ?? null;
  }
  get stderr(): Readable | null {
    return (this.stdio[2] as Readable | null | undefined) ?? null;
  }

  /** Whether `slot` is piped and still waits for its socket (the listener asks before attaching). */
  wants(slot: number): boolean {
    return this.kinds[slot] === 'pipe' && !this.sockets[slot] && !this.closed;
  }

  /** The listener hands over the socket of `slot`; `rest` is what followed its header. */
  attach(slot: number, socket: Socket, rest: Buffer): void {
    this.sockets[slot] = socket;
    if (slot === 0) {
      // Nothing meaningful comes back on stdin; reading it notices when the child closes it.
      socket.on('data', () => {});
      socket.on('error', () => {});
    } else {
      const stream = this.stdio[slot] as Readable;
      const end = () => this.endOutput(slot);
      if (rest.length > 0 && !stream.push(rest)) socket.pause();
      socket.on('data', (chunk: Buffer) => {
        if (!this.eof.has(slot) && !stream.push(chunk)) socket.pause();
      });
      socket.on('end', end);
      socket.on('error', end);
      socket.on('close', end);
    }
    this.release(slot);
  }

  /** The helper started the child. */
  spawned(pid: number): void {
    this.pid = pid;
    this.stdinReady = true;
    this.release(0);
    for (const { signal, group } of this.early.splice(0)) this.signal(signal, group);
    this.emit('spawn');
  }

  /** The helper saw the child exit (or is gone: then `signal` is SIGKILL and no socket is awaited). */
  exit(code: number | null, signal: NodeJS.Signals | null, abandonSockets = false): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
    if (abandonSockets) for (const slot of this.outputsOpen) this.sockets[slot]?.destroy();
    // As ChildProcess does: output nobody reads is drained, so 'close' still comes.
    for (const slot of this.outputsOpen) {
      const stream = this.stdio[slot] as Readable;
      if (stream.readableFlowing === null) stream.resume();
      if (abandonSockets) this.endOutput(slot);
    }
    this.release(0);
    this.maybeClose();
  }

  /** The spawn failed (the helper could not start it, or died before it did). */
  fail(error: Error): void {
    if (this.exited) return;
    this.exited = true;
    this.stdinReady = false;
    for (const socket of this.sockets) socket?.destroy();
    this.release(0);
    for (const slot of this.outputsOpen) this.endOutput(slot);
    this.emit('error', error);
    this.finish(null, null);
  }

  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    return this.signal(signal, false);
  }

  /** Signals the child's whole process group (it leads one when detached). */
  killGroup(signal: NodeJS.Signals | number = 'SIGKILL'): void {
    this.signal(signal, this.detached);
  }

  private signal(signal: NodeJS.Signals | number, group: boolean): boolean {
    if (this.exited) return false;
    if (this.pid === undefined) {
      this.early.push({ signal, group });
      return true;
    }
    try {
      process.kill(group ? -this.pid : this.pid, signal);
      return true;
    } catch {
      if (!group) return false;
      return this.signal(signal, false);
    }
  }

  private input(): Writable {
    const whenReady = (use: (socket: Socket | undefined) => void) => {
      // Both are needed: the helper's 'spawned' report and the stdin socket travel on different
      // channels, and on a busy server the report can come first (the socket is then not here yet).
      if ((this.stdinReady && this.sockets[0]) || this.exited)
        use(this.stdinReady ? this.sockets[0] : undefined);
      else {
        this.waiting[0] ??= [];
        this.waiting[0].push(use);
      }
    };
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) =>
        whenReady((socket) => (socket ? socket.write(chunk, callback) : callback(closedStdin()))),
      // Ending the input of a child that is already gone is not an error (as with a pipe).
      final: (callback) =>
        whenReady((socket) => (socket && !socket.writableEnded ? socket.end(() => callback()) : callback())),
      destroy: (error, callback) => {
        this.sockets[0]?.destroy();
        callback(error);
      },
    });
  }

  private output(slot: number): Readable {
    const stream = new Readable({
      read: () => this.sockets[slot]?.resume(),
      destroy: (error, callback) => {
        this.sockets[slot]?.destroy();
        callback(error);
      },
    });
    stream.once('close', () => {
      this.outputsOpen.delete(slot);
      this.maybeClose();
    });
    stream.once('end', () => {
      this.outputsOpen.delete(slot);
      this.maybeClose();
    });
    return stream;
  }

  /** Stdin is usable once both its socket and the child exist (the helper has let go of its copy). */
  private release(slot: number): void {
    if (slot === 0 && !(this.stdinReady && this.sockets[0]) && !this.exited) return;
    for (const use of (this.waiting[slot] ?? []).splice(0))
      use(this.stdinReady ? this.sockets[0] : undefined);
  }

  private endOutput(slot: number): void {
    if (this.eof.has(slot)) return;
    this.eof.add(slot);
    const stream = this.stdio[slot] as Readable;
    if (!stream.destroyed) stream.push(null);
  }

  private maybeClose(): void {
    if (this.exited && this.outputsOpen.size === 0) this.finish(this.exitCode, this.signalCode);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', code, signal);
  }
}

function closedStdin(): Error {
  return Object.assign(new Error('write EPIPE: the child is gone'), { code: 'EPIPE' });
}
