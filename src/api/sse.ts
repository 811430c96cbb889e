import type { FastifyInstance, FastifyReply } from 'fastify';

export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Bytes a stream may have queued for a client that is not reading before it is cut off. */
export const DEFAULT_SSE_MAX_BUFFER_BYTES = 4 * 1024 * 1024;
/** How long a cut-off client gets to take its last frames and the error before the socket is destroyed. */
const OVERFLOW_GRACE_MS = 5_000;
/** How long a stream waits for a client that stopped reading before cutting it off. */
const DEFAULT_STALL_MS = 10_000;
/**
 * Bytes queued in this process for one client beyond which the producer waits for them to reach
 * the kernel (whose socket buffer holds megabytes more): a reader that keeps up never waits
 * long, and one that stopped holds at most this much here, not half the cut-off bound. Forty
 * non-reading clients cost 2 MiB each with the half-bound rule (see test/api/sse-slow-clients.test.ts).
 */
const PACE_BYTES = 64 * 1024;

export interface SseOptions {
  heartbeatMs?: number | undefined;
  /** PADDOCK_SSE_MAX_BUFFER_BYTES: the bound on what a slow client can make this node hold. */
  maxBufferBytes?: number | undefined;
  /** How long a stream may wait for its client to read before it is cut off (default 10 s). */
  stallMs?: number | undefined;
}

export interface SseStream {
  /** Aborted when the client goes away (or is cut off); stop producing then. */
  readonly signal: AbortSignal;
  /** One frame: `event: <type>\nid: <id>\ndata: <json>\n\n` (the SDK needs the event line). */
  send(type: string, data: unknown, id?: string): void;
  /**
   * Undefined while the client keeps up; otherwise a promise that settles once it has read
   * enough (or the stream ended). The producer awaits it before the next frame, so a replay
   * from the log is paced by the reader instead of piling up here.
   */
  backpressure(): Promise<void> | undefined;
  /** The SDK turns this frame into a thrown APIError, so a failure is never a silent close. */
  fail(message: string, type?: string): void;
  close(): void;
}

/**
 * Takes the response over from Fastify and flushes SSE headers at once (the
 * SDK's `stream()` resolves on headers). A `: ping` comment keeps proxies and
 * idle timeouts from cutting a quiet stream.
 *
 * Backpressure: the producer waits (`backpressure()`) while more than 64 KiB (or
 * half of `maxBufferBytes`, if smaller) is queued, so a reader that is merely slower
 * than a replay is paced, never cut off. A client that does not read for `stallMs`, or lets more
 * than `maxBufferBytes` pile up, is cut off: the stream stops sending, queues an
 * `error` frame (a client that resumes reading sees why), ends, and is destroyed
 * after a short grace, so a client that never reads holds at most the bound (the
 * live tail it stopped pulling holds shared events for at most `stallMs`). Every
 * frame sent carried its id, so the client resumes with Last-Event-ID exactly
 * after the last event it received.
 */
export function openSseStream(reply: FastifyReply, options: SseOptions = {}): SseStream {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const maxBufferBytes = options.maxBufferBytes ?? DEFAULT_SSE_MAX_BUFFER_BYTES;
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  reply.hijack();
  const raw = reply.raw;
  const controller = new AbortController();
  const requestId = reply.getHeader('request-id');
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...(typeof requestId === 'string' ? { 'request-id': requestId } : {}),
  });
  raw.flushHeaders();
  let closed = false;
  const writable = () => !closed && !raw.writableEnded && !raw.destroyed;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    controller.abort();
    if (!raw.writableEnded) raw.end();
  };
  const fail = (message: string, type = 'api_error') => {
    if (writable())
      raw.write(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message } })}\n\n`);
    close();
  };
  const overflow = () => {
    fail(
      `this client read too slowly (events waiting for it past ${maxBufferBytes} bytes or ${stallMs} ms); ` +
        'reconnect with Last-Event-ID to resume after the last event received',
      'overloaded_error',
    );
    // end() only completes once the client reads what is queued; one that never reads is dropped.
    const timer = setTimeout(() => raw.destroy(), OVERFLOW_GRACE_MS);
    timer.unref();
    raw.once('close', () => clearTimeout(timer));
  };
  const write = (chunk: string) => {
    if (!writable()) return;
    const queued = raw.writableLength;
    raw.write(chunk);
    // Judged on what was queued before this frame, so one large event alone never cuts a reader off.
    if (queued > maxBufferBytes) overflow();
  };
  const paceAt = Math.min(PACE_BYTES, maxBufferBytes / 2);
  const backpressure = (): Promise<void> | undefined => {
    if (!writable() || raw.writableLength <= paceAt) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(stall);
        raw.off('drain', done);
        controller.signal.removeEventListener('abort', done);
        resolve();
      };
      const stall = setTimeout(() => {
        overflow();
        done();
      }, stallMs);
      raw.on('drain', done);
      controller.signal.addEventListener('abort', done);
    });
  };
  const heartbeat = setInterval(() => {
    // A ping behind a queue the client is not reading would only grow it.
    if (raw.writableLength === 0) write(': ping\n\n');
  }, heartbeatMs);
  raw.on('close', close);
  return {
    signal: controller.signal,
    send(type, data, id) {
      write(`event: ${type}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    },
    backpressure,
    fail,
    close,
  };
}

/**
 * Tracks a route group's open streams and ends them when the server closes;
 * otherwise a long-lived stream would hold `app.close()` open forever.
 */
export function sseStreams(app: FastifyInstance, options: SseOptions = {}) {
  const open = new Set<SseStream>();
  app.addHook('preClose', async () => {
    // Never a silent close: tell the client why, and that reconnecting resumes where it left off.
    for (const stream of open) {
      stream.fail(
        'the server is shutting down; reconnect with Last-Event-ID to resume without gaps',
        'overloaded_error',
      );
    }
  });
  return (reply: FastifyReply): SseStream => {
    const stream = openSseStream(reply, options);
    open.add(stream);
    stream.signal.addEventListener('abort', () => open.delete(stream));
    return stream;
  };
}
