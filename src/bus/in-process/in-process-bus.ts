import { EventEmitter } from 'node:events';
import type { PreviewEvent } from '../../core/events/session-event.js';
import type { BusMessage, EventBus, EventListener, SessionSignal } from '../../core/ports/event-bus.js';
import type { StoredEvent } from '../../core/ports/store.js';

const SIGNAL = 'session-signal';

/**
 * The single-node bus (SQLite): synchronous fan-out inside this process.
 * A throwing listener must not starve the others, so each call is isolated.
 */
export class InProcessBus implements EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open SSE stream is a listener; Node's leak warning would fire at 11.
    this.emitter.setMaxListeners(0);
  }

  publish(event: StoredEvent): void {
    this.deliver(event.sessionId, { kind: 'event', event });
  }

  publishEphemeral(sessionId: string, payload: PreviewEvent): void {
    this.deliver(sessionId, { kind: 'ephemeral', sessionId, payload });
  }

  /** Delivers to this process's subscribers only; the Postgres bus reuses it for local fan-out. */
  deliver(sessionId: string, message: BusMessage): void {
    for (const listener of this.emitter.listeners(topic(sessionId)) as EventListener[]) {
      isolate(() => listener(message));
    }
  }

  subscribe(sessionId: string, listener: EventListener): () => void {
    this.emitter.on(topic(sessionId), listener);
    return () => this.emitter.off(topic(sessionId), listener);
  }

  hasSubscribers(sessionId: string): boolean {
    return this.emitter.listenerCount(topic(sessionId)) > 0;
  }

  /** Sessions this process streams right now (the Postgres bus re-reads them after a reconnect). */
  subscribedSessions(): string[] {
    return this.emitter
      .eventNames()
      .filter((name): name is string => typeof name === 'string' && name.startsWith(topic('')))
      .filter((name) => this.emitter.listenerCount(name) > 0)
      .map((name) => name.slice(topic('').length));
  }

  onSessionSignal(listener: (sessionId: string, signal: SessionSignal) => void): () => void {
    this.emitter.on(SIGNAL, listener);
    return () => this.emitter.off(SIGNAL, listener);
  }

  signalSession(sessionId: string, signal: SessionSignal = INPUT): void {
    type Listener = (id: string, signal: SessionSignal) => void;
    for (const listener of this.emitter.listeners(SIGNAL) as Listener[]) {
      isolate(() => listener(sessionId, signal));
    }
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const topic = (sessionId: string) => `session:${sessionId}`;
const INPUT: SessionSignal = { type: 'input' };

function isolate(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    // A subscriber's bug is its own; report it without breaking the publisher.
    process.emitWarning(`event bus listener failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
}
