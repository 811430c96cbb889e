import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../../src/config/config.js';
import { createPaddock } from '../../src/server.js';
import { createSession } from './harness-fixture.js';
import { childEnv, freePort, type PaddockProcess, spawnPaddock } from './paddock-process.js';

/**
 * Issue #21's "40 SSE clients that never read", shared by its test (test/api/sse-slow-clients.test.ts)
 * and `npm run bench` (bench/slow-clients.ts): a real `paddock serve` in a child process (so its
 * RSS is its own, read from /proc), a session with a large log, and raw sockets that send the
 * stream's GET and never read a byte.
 */
const KEY = 'sk-paddock-slow-clients';
const MIB = 1024 * 1024;

export interface LargeLogServer {
  paddock: PaddockProcess;
  client: Anthropic;
  port: number;
  sessionId: string;
  /** Every event id of the session's log, in order. */
  ids: string[];
  /** Bytes of event text written. */
  textBytes: number;
  close(): Promise<void>;
}

/**
 * A server (SQLite) and a session whose log holds `events` agent messages of `textBytes` each.
 * The log is written in this process first (appends straight to the event log: the API would
 * run a turn per message), then `paddock serve` starts on the same data directory.
 */
export async function startLargeLogServer(
  events: number,
  options: { textBytes?: number; entry?: string[] } = {},
): Promise<LargeLogServer> {
  const textBytes = options.textBytes ?? 4096;
  const dataDir = await mkdtemp(join(tmpdir(), 'paddock-slow-sse-'));
  const sessionId = await writeLargeLog(dataDir, events, textBytes);
  const port = await freePort();
  const paddock = await spawnPaddock(
    childEnv({
      PADDOCK_DATA_DIR: dataDir,
      PADDOCK_PORT: String(port),
      PADDOCK_HOST: '127.0.0.1',
      PADDOCK_ADMIN_KEY: KEY,
      // Nothing should run a turn (no input is pending); if one did, it would answer at once.
      PADDOCK_MODEL_ROUTES: '*=scripted',
    }),
    { entry: options.entry },
  ).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const close = async () => {
    await paddock.kill();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const client = new Anthropic({ baseURL: paddock.url, apiKey: KEY, maxRetries: 2, timeout: 120_000 });
    const ids = await settledLog(client, sessionId);
    return { paddock, client, port, sessionId, ids, textBytes: events * textBytes, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function writeLargeLog(dataDir: string, events: number, textBytes: number): Promise<string> {
  const config = loadConfig({}, { port: 0, host: '127.0.0.1', dataDir, adminKey: KEY });
  const paddock = await createPaddock({ config, runHarness: false });
  try {
    const client = new Anthropic({ baseURL: await paddock.listen(), apiKey: KEY, maxRetries: 0 });
    const { session } = await createSession(client);
    const text = 'x'.repeat(textBytes);
    for (let sent = 0; sent < events; sent += 100) {
      const drafts = Array.from({ length: Math.min(100, events - sent) }, (_, i) => ({
        type: 'agent.message' as const,
        content: [{ type: 'text' as const, text: `${sent + i} ${text}` }],
      }));
      await paddock.context.events.append(session.id, drafts);
    }
    return session.id;
  } finally {
    await paddock.close();
  }
}

/** The log's event ids once the session is idle and two reads agree (bounded wait). */
async function settledLog(client: Anthropic, sessionId: string): Promise<string[]> {
  const read = async () => {
    const ids: string[] = [];
    for await (const event of client.beta.sessions.events.list(sessionId, { limit: 1000 }))
      ids.push((event as { id: string }).id);
    return ids;
  };
  const deadline = Date.now() + 300_000;
  let previous: string[] = [];
  while (Date.now() < deadline) {
    const idle = (await client.beta.sessions.retrieve(sessionId)).status === 'idle';
    const ids = await read();
    if (idle && ids.length === previous.length) return ids;
    previous = ids;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`session ${sessionId} did not settle within 300 s`);
}

/** A raw socket that sends the stream's GET (resuming after `lastEventId`) and is never read. */
export function openPausedStream(port: number, sessionId: string, lastEventId: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    // Paused before it connects: Node never reads from it, so the kernel's receive buffer fills
    // and the server's writes back up, as with a client that stopped reading.
    socket.pause();
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {}); // a reset is an outcome here, read later
      socket.write(
        `GET /v1/sessions/${sessionId}/events/stream HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n` +
          `x-api-key: ${KEY}\r\naccept: text/event-stream\r\nlast-event-id: ${lastEventId}\r\n\r\n`,
      );
      resolve(socket);
    });
  });
}

/** How many of these client ports still have an established connection on the server's port. */
export async function serverStreamsOpen(serverPort: number, clientPorts: Set<number>): Promise<number> {
  let open = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, remote, state] = line.trim().split(/\s+/);
      if (!local || !remote || state !== '01') continue; // 01: ESTABLISHED
      const localPort = Number.parseInt(local.split(':').pop() ?? '', 16);
      const remotePort = Number.parseInt(remote.split(':').pop() ?? '', 16);
      if (localPort === serverPort && clientPorts.has(remotePort)) open++;
    }
  }
  return open;
}

/** What a paused client gets once it reads again: the events it was sent, in order, until the server's close. */
export async function readToEnd(
  socket: Socket,
  timeoutMs = 120_000,
): Promise<{ ids: string[]; bytes: number }> {
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
  });
  const raw = Buffer.concat(chunks);
  return { ids: sseIds(dechunk(raw)), bytes: raw.length };
}

/** The body of a chunked HTTP/1.1 response, as far as it arrived whole. */
function dechunk(raw: Buffer): string {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) return '';
  const parts: Buffer[] = [];
  let at = headerEnd + 4;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    const start = lineEnd + 2;
    parts.push(raw.subarray(start, Math.min(start + size, raw.length)));
    if (start + size + 2 > raw.length) break;
    at = start + size + 2;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Ids of the whole frames in an SSE body (a frame cut off by the close is not counted). */
function sseIds(body: string): string[] {
  const frames = body.split('\n\n');
  frames.pop(); // after the last separator: an incomplete frame, or nothing
  return frames.flatMap((frame) => {
    const id = /^id: (.+)$/m.exec(frame)?.[1];
    return id && /^data: /m.test(frame) ? [id] : [];
  });
}

/** Reads a stream resumed after `lastEventId` until it has carried `untilId`. */
export async function resumeUntil(
  port: number,
  sessionId: string,
  lastEventId: string,
  untilId: string,
  timeoutMs = 120_000,
): Promise<string[]> {
  const socket = await openPausedStream(port, sessionId, lastEventId);
  const chunks: Buffer[] = [];
  const deadline = setTimeout(() => socket.destroy(), timeoutMs);
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // Done once the last frame is whole (checked on the newest bytes; parsed once at the end).
      const recent = Buffer.concat(chunks.slice(-4)).toString('latin1');
      const at = recent.indexOf(`id: ${untilId}\n`);
      if (at >= 0 && recent.indexOf('\n\n', at) >= 0) socket.destroy();
    });
    socket.once('close', () => resolve());
    socket.resume();
  });
  clearTimeout(deadline);
  return sseIds(dechunk(Buffer.concat(chunks)));
}

export interface SlowClientsRun {
  /** The paused clients, still unread: what each got is read later (readToEnd). */
  sockets: Socket[];
  baselineMiB: number;
  peakMiB: number;
  /** Streams the server still had open when the wait ended (0: every client was cut off). */
  stillOpen: number;
  /** From the first connect until the server had closed every stream. */
  seconds: number;
}

/**
 * Opens `clients` paused streams replaying the whole log and waits (at most `timeoutMs`) until the
 * server has closed every one, sampling the server's RSS meanwhile. Nothing is judged by time: a
 * stalled stream is cut off after 10 s without progress (and dropped 5 s later), however long the
 * replay took to fill the client's buffers.
 */
export async function runSlowClients(
  server: LargeLogServer,
  clients: number,
  timeoutMs = 300_000,
): Promise<SlowClientsRun> {
  const pid = server.paddock.child.pid ?? 0;
  const baselineMiB = await rssMiB(pid);
  let peakMiB = baselineMiB;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakMiB = Math.max(peakMiB, await rssMiB(pid));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const started = performance.now();
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < clients; i++)
      sockets.push(await openPausedStream(server.port, server.sessionId, server.ids[0] ?? ''));
    const clientPorts = new Set(sockets.map((socket) => socket.localPort ?? 0));
    const deadline = Date.now() + timeoutMs;
    let stillOpen = clients;
    while (Date.now() < deadline) {
      stillOpen = await serverStreamsOpen(server.port, clientPorts);
      if (stillOpen === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return { sockets, baselineMiB, peakMiB, stillOpen, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    throw error;
  } finally {
    sampling = false;
    await sampler;
  }
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return (Number(match[1]) * 1024) / MIB;
}
