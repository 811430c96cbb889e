import type { FastifyInstance, FastifyReply } from 'fastify';

export const DEFAULT_HEARTBEAT_MS = 15_000;

export interface SseStream {
  /** Aborted when the client goes away; stop producing then. */
  readonly signal: AbortSignal;
  /** One frame: `event: <type>\nid: <id>\ndata: <json>\n\n` (the SDK needs the event line). */
  send(type: string, data: unknown, id?: string): void;
  /** The SDK turns this frame into a thrown APIError, so a failure is never a silent close. */
  fail(message: string, type?: string): void;
  close(): void;
}

/**
 * Takes the response over from Fastify and flushes SSE headers at once (the
 * SDK's `stream()` resolves on headers). A `: ping` comment keeps proxies and
 * idle timeouts from cutting a quiet stream.
 */
export function openSseStream(reply: FastifyReply, heartbeatMs = DEFAULT_HEARTBEAT_MS): SseStream {
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
  const write = (chunk: string) => {
    if (!closed && !raw.writableEnded && !raw.destroyed) raw.write(chunk);
  };
  const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    controller.abort();
    if (!raw.writableEnded) raw.end();
  };
  raw.on('close', close);
  return {
    signal: controller.signal,
    send(type, data, id) {
      write(`event: ${type}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    },
    fail(message, type = 'api_error') {
      write(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message } })}\n\n`);
      close();
    },
    close,
  };
}

/**
 * Tracks a route group's open streams and ends them when the server closes;
 * otherwise a long-lived stream would hold `app.close()` open forever.
 */
export function sseStreams(app: FastifyInstance, heartbeatMs?: number) {
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
    const stream = openSseStream(reply, heartbeatMs);
    open.add(stream);
    stream.signal.addEventListener('abort', () => open.delete(stream));
    return stream;
  };
}
