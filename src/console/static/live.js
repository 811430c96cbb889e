// Follows a session's (or a thread's) live stream, reconnecting with
// Last-Event-ID so nothing is missed or repeated. No DOM use: Node runs it too.
import { ApiError } from './api.js';
import { streamErrorOf } from './sse.js';

const ENDS_SESSION = new Set(['session.deleted', 'session.status_terminated']);

/** Whether the server closes the stream after this event (src/api/session-stream.ts). */
export function endsStream(event, threadId) {
  if (ENDS_SESSION.has(event?.type)) return true;
  return (
    Boolean(threadId) &&
    event?.type === 'session.thread_status_terminated' &&
    event.session_thread_id === threadId
  );
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * @typedef {object} FollowHandlers
 * @property {(event: any) => void} onEvent a stored event, in log order, or (with `eventDeltas`)
 *   an `event_start` / `event_delta` preview, which has no id and is never replayed
 * @property {(error: { type: string, message: string, fatal: boolean }) => void} [onError]
 *   the stream's in-band `error` event, a refused connection (fatal) or a dropped one
 * @property {(state: 'connecting'|'live'|'waiting'|'ended'|'failed'|'stopped') => void} [onState]
 * @property {() => void} [onHeartbeat] a `: ping` comment arrived
 */

/**
 * @param {import('./api.js').ConsoleClient} client
 * @param {string} sessionId
 * @param {FollowHandlers & { threadId?: string, lastEventId?: string, retryDelayMs?: number,
 *   maxRetryDelayMs?: number, reconnect?: boolean, eventDeltas?: string[] }} options
 */
export function followEvents(client, sessionId, options) {
  const { threadId, onEvent, onError, onState, onHeartbeat, eventDeltas } = options;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 15_000;
  const reconnect = options.reconnect ?? true;
  const controller = new AbortController();
  const signal = controller.signal;
  let lastEventId = options.lastEventId;

  const finish = (state) => {
    onState?.(state);
    return state;
  };

  const run = async () => {
    let delay = retryDelayMs;
    while (!signal.aborted) {
      onState?.('connecting');
      try {
        const frames = await client.openStream(sessionId, {
          threadId,
          lastEventId,
          signal,
          eventDeltas,
          onComment: () => onHeartbeat?.(),
        });
        onState?.('live');
        for await (const frame of frames) {
          if (frame.event === 'error') {
            // The server reports a failure in-band, then closes; reconnecting resumes after the last id.
            onError?.({ ...streamErrorOf(frame), fatal: false });
            break;
          }
          const event = JSON.parse(frame.data);
          if (frame.id) lastEventId = frame.id;
          delay = retryDelayMs;
          onEvent(event);
          if (endsStream(event, threadId)) return finish('ended');
        }
      } catch (error) {
        if (signal.aborted) break;
        // The server refused the stream itself (bad key, unknown session): retrying cannot help.
        const refused = error instanceof ApiError && error.status < 500 && error.status !== 429;
        const message = error instanceof Error ? error.message : String(error);
        const type = error instanceof ApiError ? error.type : 'connection_error';
        onError?.({ type, message, fatal: refused });
        if (refused) return finish('failed');
      }
      if (signal.aborted || !reconnect) break;
      onState?.('waiting');
      await sleep(delay, signal);
      delay = Math.min(delay * 2, maxRetryDelayMs);
    }
    return finish('stopped');
  };

  const done = run();
  return {
    /** Resolves to how following ended: 'ended', 'failed' or 'stopped'. */
    done,
    stop() {
      controller.abort();
      return done;
    },
    /** Where a reconnect resumes; set it from the history before the first frame arrives. */
    get lastEventId() {
      return lastEventId;
    },
    resumeAfter(eventId) {
      if (!lastEventId && eventId) lastEventId = eventId;
    },
  };
}
