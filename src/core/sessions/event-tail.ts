import type { PreviewEvent } from '../events/session-event.js';
import type { BusMessage, EventBus } from '../ports/event-bus.js';
import type { EventLog, LoggedEvent } from './event-log.js';

export type TailItem = { kind: 'event'; event: LoggedEvent } | { kind: 'ephemeral'; payload: PreviewEvent };

export interface TailOptions {
  /** Replay committed events after this seq first; default: start at the log's end. */
  afterSeq?: number | undefined;
  /** Also yield ephemeral previews (`event_start`/`event_delta`). */
  previews?: boolean | undefined;
  /** Ends the iteration (client disconnected); the bus subscription is released. */
  signal?: AbortSignal | undefined;
}

/**
 * Events per replay read. A stream paced by a slow reader holds its current page, so this bounds
 * what each such stream keeps in memory (100 events of 4 KiB: 0.4 MiB; 500 held 2 MiB, and forty
 * stalled streams 80 MiB: test/api/sse-slow-clients.test.ts).
 */
const REPLAY_PAGE = 100;

/**
 * Subscribe first, then replay from the log, then drain the live buffer,
 * deduplicating by seq. A live event that skips seqs (another node's NOTIFY
 * arriving out of order) makes the tail read the gap from the log, so the
 * stream is gap-free whatever the bus does.
 */
export async function* tailEvents(
  log: EventLog,
  bus: EventBus,
  sessionId: string,
  options: TailOptions,
): AsyncGenerator<TailItem> {
  const buffer: BusMessage[] = [];
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const unsubscribe = bus.subscribe(sessionId, (message) => {
    if (message.kind === 'ephemeral' && !options.previews) return;
    buffer.push(message);
    wakeUp();
  });
  const signal = options.signal;
  signal?.addEventListener('abort', wakeUp);
  try {
    let lastSeq = options.afterSeq ?? (await log.lastSeq(sessionId));
    for await (const event of readRange(log, sessionId, lastSeq, undefined)) {
      yield { kind: 'event', event };
      lastSeq = event.seq;
    }
    while (!signal?.aborted) {
      const message = buffer.shift();
      if (!message) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (message.kind === 'ephemeral') {
        yield { kind: 'ephemeral', payload: message.payload };
        continue;
      }
      const live = message.event as LoggedEvent;
      if (live.seq <= lastSeq) continue;
      if (live.seq > lastSeq + 1) {
        for await (const missed of readRange(log, sessionId, lastSeq, live.seq)) {
          yield { kind: 'event', event: missed };
          lastSeq = missed.seq;
        }
      }
      yield { kind: 'event', event: live };
      lastSeq = live.seq;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', wakeUp);
  }
}

/** Committed events with afterSeq < seq < beforeSeq, in order, page by page. */
async function* readRange(
  log: EventLog,
  sessionId: string,
  afterSeq: number,
  beforeSeq: number | undefined,
): AsyncGenerator<LoggedEvent> {
  let cursor = afterSeq;
  for (;;) {
    const page = await log.list(sessionId, { afterSeq: cursor, beforeSeq, order: 'asc', limit: REPLAY_PAGE });
    for (const event of page) yield event;
    const last = page[page.length - 1];
    if (!last || page.length < REPLAY_PAGE) return;
    cursor = last.seq;
  }
}
