import type { DraftEvent, SessionEvent } from '../events/session-event.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { HarnessSessions } from '../ports/harness-sessions.js';
import { isStoreUnavailable } from '../store-unavailable.js';

/** First wait after the database went away, doubling up to the cap. */
const FIRST_WAIT_MS = 100;
const MAX_WAIT_MS = 2_000;

export interface StoreRetry {
  /** Give up after this long and let the failure through (the harness then recovers from the log). */
  maxWaitMs: number;
  onWait?: ((error: unknown) => void) | undefined;
}

/**
 * Runs `operation` again while the database is unreachable (a restart, a failover, a dropped
 * connection), with backoff, for at most `maxWaitMs`. Anything else fails at once.
 */
export async function whileStoreUnavailable<T>(retry: StoreRetry, operation: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + retry.maxWaitMs;
  for (let wait = FIRST_WAIT_MS; ; wait = Math.min(MAX_WAIT_MS, wait * 2)) {
    try {
      return await operation();
    } catch (error) {
      if (!isStoreUnavailable(error) || Date.now() + wait > deadline) throw error;
      // Said once per operation, not at every backoff step.
      if (wait === FIRST_WAIT_MS) retry.onWait?.(error);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * The harness's log, riding out a database restart. An append whose connection died may or
 * may not have committed, so it is never simply sent again: each draft gets its event id
 * before the first try, and after a failure the log is read back; if the batch is there
 * (appends are atomic) it is returned as stored, otherwise it is sent again. Appends with
 * idempotency keys would be safe to resend anyway; this makes every append exactly-once.
 */
export function retryingLog(log: HarnessLog, retry: StoreRetry): HarnessLog {
  return {
    ...log,
    read: (sessionId) => whileStoreUnavailable(retry, () => log.read(sessionId)),
    async append(sessionId, drafts, keys) {
      const newId = log.newEventId;
      if (!newId) return whileStoreUnavailable(retry, () => log.append(sessionId, drafts, keys));
      const named = drafts.map((draft) =>
        (draft as { id?: string }).id ? draft : ({ ...draft, id: newId() } as DraftEvent),
      );
      const ids = named.map((draft) => (draft as unknown as { id: string }).id);
      let failed = false;
      return whileStoreUnavailable(retry, async () => {
        if (failed) {
          const committed = await alreadyCommitted(log, sessionId, ids);
          if (committed) return committed;
        }
        try {
          return await log.append(sessionId, named, keys);
        } catch (error) {
          failed = true;
          throw error;
        }
      });
    },
  };
}

async function alreadyCommitted(
  log: HarnessLog,
  sessionId: string,
  ids: readonly string[],
): Promise<SessionEvent[] | undefined> {
  const first = ids[0];
  if (first === undefined) return [];
  const byId = new Map((await log.read(sessionId)).map((entry) => [entry.event.id, entry.event]));
  if (!byId.has(first)) return undefined;
  return ids.map((id) => byId.get(id)).filter((event): event is SessionEvent => event !== undefined);
}

/** Session loads and usage snapshots, riding out a database restart the same way. */
export function retryingSessions(sessions: HarnessSessions, retry: StoreRetry): HarnessSessions {
  return {
    ...sessions,
    load: (sessionId) => whileStoreUnavailable(retry, () => sessions.load(sessionId)),
    saveUsage: (...args) => whileStoreUnavailable(retry, () => sessions.saveUsage(...args)),
  };
}
