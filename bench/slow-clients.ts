import { readToEnd, runSlowClients, startLargeLogServer } from '../test/support/slow-sse-clients.js';
import { atMost, type BenchResult, info } from './table.js';

const CLIENTS = 40;
const EVENTS = 5_000;

/**
 * Issue #21's row: 40 SSE clients that never read, against a `paddock serve` child (SQLite; the
 * compiled bundle when `paddockArgv` is given, as `npm run bench` does) whose
 * session log holds 5,000 events of 4 KiB; each client replays it from the first event. The
 * server's RSS growth (peak during the run minus before it), how long until the server had cut
 * every client off, and how much of the log each got first (what the kernel's buffers took).
 * The same scenario is judged by test/api/sse-slow-clients.test.ts.
 */
export async function benchSlowClients(paddockArgv?: string[]): Promise<BenchResult[]> {
  const server = await startLargeLogServer(EVENTS, { entry: paddockArgv });
  try {
    const run = await runSlowClients(server, CLIENTS);
    const received = await Promise.all(run.sockets.map((socket) => readToEnd(socket)));
    const counts = received.map((got) => got.ids.length);
    return [
      atMost(
        `${CLIENTS} SSE clients that never read: server RSS growth`,
        run.peakMiB - run.baselineMiB,
        'MiB',
        50,
      ),
      info(`${CLIENTS} SSE clients that never read: server RSS before`, run.baselineMiB, 'MiB'),
      info(`${CLIENTS} SSE clients that never read: cut off (of ${CLIENTS})`, CLIENTS - run.stillOpen, ''),
      info(`${CLIENTS} SSE clients that never read: all cut off after`, run.seconds, 's'),
      info(
        `${CLIENTS} SSE clients that never read: events each got first (min)`,
        Math.min(...counts),
        'events',
      ),
    ];
  } finally {
    await server.close();
  }
}
