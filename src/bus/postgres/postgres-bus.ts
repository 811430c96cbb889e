import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { PreviewEvent } from '../../core/events/session-event.js';
import type { EventBus, EventListener, SessionSignal } from '../../core/ports/event-bus.js';
import type { EventRepository, StoredEvent } from '../../core/ports/store.js';
import { InProcessBus } from '../in-process/in-process-bus.js';

const CHANNEL = 'paddock_events';
/** NOTIFY payloads must stay under 8000 bytes; keep a margin for the envelope. */
const MAX_INLINE_BYTES = 7000;
/** Reconnect backoff: first try after this, doubling up to the cap, for as long as it takes. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 5_000;
/** Notices kept while the connection is down; past this the oldest go (the log still has them). */
const MAX_OUTBOX = 10_000;

type Notice =
  | { n: string; k: 'e'; e: StoredEvent }
  | { n: string; k: 'r'; s: string; q: number }
  | { n: string; k: 'p'; s: string; p: PreviewEvent }
  | { n: string; k: 'w'; s: string; i?: { t: string | null } };

/**
 * The multi-node bus: LISTEN/NOTIFY on one channel. This node's subscribers
 * are served synchronously in process; other nodes get a notice. Small events
 * travel inline; a large one travels as (session id, seq) and the receiver
 * reads it from the store, so no event hits the NOTIFY size limit. Receivers
 * may see notices late or out of order; EventLog.tail fills gaps from the log.
 */
export class PostgresBus implements EventBus {
  private readonly local = new InProcessBus();
  private readonly nodeId = randomUUID();
  private client: pg.Client | undefined;
  private closed = false;
  /**
   * NOTIFYs go out one at a time, in publish order, on the listening connection. While it is
   * down they wait here and go out after the reconnect, so a wake-up signal is late, not lost.
   */
  private readonly outbox: string[] = [];
  private sending: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly reconnectListeners = new Set<() => void>();

  private constructor(
    private readonly connectionString: string,
    private readonly events: EventRepository,
  ) {}

  static async connect(connectionString: string, events: EventRepository): Promise<PostgresBus> {
    const bus = new PostgresBus(connectionString, events);
    await bus.listen();
    return bus;
  }

  publish(event: StoredEvent): void {
    this.local.publish(event);
    const inline: Notice = { n: this.nodeId, k: 'e', e: event };
    const text = JSON.stringify(inline);
    this.notify(
      Buffer.byteLength(text) <= MAX_INLINE_BYTES
        ? text
        : JSON.stringify({ n: this.nodeId, k: 'r', s: event.sessionId, q: event.seq } satisfies Notice),
    );
  }

  publishEphemeral(sessionId: string, payload: PreviewEvent): void {
    this.local.publishEphemeral(sessionId, payload);
    const text = JSON.stringify({ n: this.nodeId, k: 'p', s: sessionId, p: payload } satisfies Notice);
    // Previews are best-effort: an oversized one stays local; the stored event follows anyway.
    if (Buffer.byteLength(text) <= MAX_INLINE_BYTES) this.notify(text);
  }

  subscribe(sessionId: string, listener: EventListener): () => void {
    return this.local.subscribe(sessionId, listener);
  }

  onSessionSignal(listener: (sessionId: string, signal: SessionSignal) => void): () => void {
    return this.local.onSessionSignal(listener);
  }

  signalSession(sessionId: string, signal: SessionSignal = { type: 'input' }): void {
    this.local.signalSession(sessionId, signal);
    const notice: Notice = { n: this.nodeId, k: 'w', s: sessionId };
    // An interrupt must reach whichever node is running the turn, not only this one.
    if (signal.type === 'interrupt') notice.i = { t: signal.threadId };
    this.notify(JSON.stringify(notice));
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.local.close();
    await this.sending;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) this.receive(message.payload);
    });
    // Both must be handled: an unhandled 'error' (57P01 on a server restart) kills the process.
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    const recovered = this.failures > 0;
    this.failures = 0;
    this.client = client;
    this.pump();
    if (recovered) {
      process.stderr.write('paddock: event bus reconnected to postgres\n');
      this.resync();
    }
  }

  private reconnect(failed: pg.Client): void {
    if (this.closed || this.client !== failed) return;
    this.client = undefined;
    failed.end().catch(() => undefined);
    process.stderr.write('paddock: event bus lost its postgres connection; reconnecting\n');
    this.scheduleRetry();
  }

  /**
   * Tries again with backoff for as long as it takes. The timer is referenced on purpose: a
   * node whose only connection dropped keeps trying instead of exiting quietly.
   */
  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** this.failures);
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed && !this.client) this.listen().catch(() => this.scheduleRetry());
    }, delay);
  }

  /**
   * What this node missed while it was not listening: subscribers get the session's latest
   * event (their tail reads any gap before it from the log), harnesses look for lost signals.
   */
  private resync(): void {
    for (const sessionId of this.local.subscribedSessions()) {
      void this.events
        .list({ sessionId, order: 'desc', limit: 1 })
        .then(([last]) => last && this.local.publish(last))
        .catch(() => undefined);
    }
    for (const listener of this.reconnectListeners) listener();
  }

  private notify(payload: string): void {
    this.outbox.push(payload);
    if (this.outbox.length > MAX_OUTBOX) this.outbox.shift();
    this.pump();
  }

  private pump(): void {
    if (this.sending || !this.client) return;
    const client = this.client;
    let failed = false;
    this.sending = (async () => {
      for (let next = this.outbox[0]; next !== undefined; next = this.outbox[0]) {
        if (this.client !== client) return;
        try {
          await client.query('select pg_notify($1, $2)', [CHANNEL, next]);
        } catch {
          // The connection is failing: keep the notice for after the reconnect (listen pumps
          // again). It may have gone out already; a duplicate is harmless (tails skip seen
          // seqs, a second wake finds no work).
          failed = true;
          return;
        }
        this.outbox.shift();
      }
    })().finally(() => {
      this.sending = undefined;
      // A notice queued while the last send was settling.
      if (!failed && this.outbox.length > 0) this.pump();
    });
  }

  private receive(payload: string): void {
    let notice: Notice;
    try {
      notice = JSON.parse(payload) as Notice;
    } catch {
      return;
    }
    if (notice.n === this.nodeId) return;
    switch (notice.k) {
      case 'e':
        this.local.publish(notice.e);
        return;
      case 'p':
        this.local.publishEphemeral(notice.s, notice.p);
        return;
      case 'w':
        this.local.signalSession(
          notice.s,
          notice.i ? { type: 'interrupt', threadId: notice.i.t } : { type: 'input' },
        );
        return;
      case 'r':
        if (this.local.hasSubscribers(notice.s)) void this.fetchAndDeliver(notice.s, notice.q);
        return;
    }
  }

  private async fetchAndDeliver(sessionId: string, seq: number): Promise<void> {
    const [event] = await this.events
      .list({ sessionId, afterSeq: seq - 1, beforeSeq: seq + 1, order: 'asc', limit: 1 })
      .catch(() => []);
    if (event) this.local.publish(event);
  }
}
