import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { PreviewEvent } from '../../core/events/session-event.js';
import type { EventBus, EventListener, SessionSignal } from '../../core/ports/event-bus.js';
import type { EventRepository, StoredEvent } from '../../core/ports/store.js';
import { InProcessBus } from '../in-process/in-process-bus.js';

const CHANNEL = 'paddock_events';
/** NOTIFY payloads must stay under 8000 bytes; keep a margin for the envelope. */
const MAX_INLINE_BYTES = 7000;
const RECONNECT_MS = 1000;

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
  /** NOTIFYs go out one at a time, in publish order, on the listening connection. */
  private sending: Promise<unknown> = Promise.resolve();

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

  async close(): Promise<void> {
    this.closed = true;
    await this.local.close();
    const client = this.client;
    this.client = undefined;
    await this.sending;
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) this.receive(message.payload);
    });
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  private reconnect(failed: pg.Client): void {
    if (this.closed || this.client !== failed) return;
    this.client = undefined;
    failed.end().catch(() => undefined);
    setTimeout(() => {
      if (!this.closed) this.listen().catch(() => this.scheduleRetry());
    }, RECONNECT_MS).unref();
  }

  private scheduleRetry(): void {
    setTimeout(() => {
      if (!this.closed && !this.client) this.listen().catch(() => this.scheduleRetry());
    }, RECONNECT_MS).unref();
  }

  private notify(payload: string): void {
    const client = this.client;
    if (!client) return;
    // A lost notice only delays other nodes until the next event: their tails fill gaps from the log.
    this.sending = this.sending
      .then(() => client.query('select pg_notify($1, $2)', [CHANNEL, payload]))
      .catch(() => undefined);
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
