import type { SessionEvent } from '../core/events/session-event.js';
import type { TailItem } from '../core/sessions/event-tail.js';
import type { SseStream } from './sse.js';

export interface SessionStreamOptions {
  /** `event_deltas[]`: which previews the client opted into. */
  deltaTypes: ReadonlySet<string>;
  /** Which stored events belong on this stream (a thread stream filters). */
  include?: (event: SessionEvent) => boolean;
  /** The last event this stream carries; the stream closes after sending it. */
  isFinal: (event: SessionEvent) => boolean;
  /** Told the seq of each committed event sent (unseen-input.ts). */
  onCarried?: (seq: number) => void;
}

const ENDS_SESSION = new Set(['session.deleted', 'session.status_terminated']);
export const endsSession = (event: SessionEvent) => ENDS_SESSION.has(event.type);

/** Pumps a log tail into an SSE response until a final event, a disconnect or a failure. */
export async function pumpSessionStream(
  stream: SseStream,
  tail: AsyncIterable<TailItem>,
  options: SessionStreamOptions,
): Promise<void> {
  // Deltas carry only the event id; remember which opened previews the client asked for.
  const openPreviews = new Set<string>();
  try {
    for await (const item of tail) {
      const paced = stream.backpressure();
      if (paced) await paced;
      if (item.kind === 'ephemeral') {
        const payload = item.payload;
        if (payload.type === 'event_start') {
          const { session_thread_id: threadId, ...preview } = payload.event;
          if (!options.deltaTypes.has(preview.type)) continue;
          // Scoped exactly like the committed event it announces; its deltas follow the start.
          const announced = { ...preview, session_thread_id: threadId ?? null } as SessionEvent;
          if (options.include && !options.include(announced)) continue;
          openPreviews.add(preview.id);
          stream.send(payload.type, { ...payload, event: preview });
        } else if (openPreviews.has(payload.event_id)) {
          stream.send(payload.type, payload);
        }
        continue;
      }
      const event = item.event.doc;
      openPreviews.delete(event.id);
      if (options.include && !options.include(event) && !options.isFinal(event)) continue;
      stream.send(event.type, event, event.id);
      options.onCarried?.(item.event.seq);
      if (options.isFinal(event)) break;
    }
    stream.close();
  } catch (error) {
    stream.fail(error instanceof Error ? `event stream failed: ${error.message}` : 'event stream failed');
  }
}
