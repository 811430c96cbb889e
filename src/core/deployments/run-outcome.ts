import type { SessionEvent } from '../events/session-event.js';
import type { Store } from '../ports/store.js';
import type { RunStatus } from './deployment.js';

export interface RunOutcome {
  status: Extract<RunStatus, 'started' | 'succeeded' | 'failed'>;
  /** Why it failed, in words. */
  reason?: string | undefined;
  /** Still started and at work (or not yet picked up): the next scheduled tick must wait. */
  working?: boolean | undefined;
}

const STATUS_TYPES = [
  'session.status_running',
  'session.status_rescheduled',
  'session.status_idle',
  'session.status_terminated',
  'session.deleted',
];

/**
 * What a run's session says about the run, read from its log (the source of truth):
 * - succeeded: the session went idle with `end_turn`;
 * - failed: it went idle with `retries_exhausted` (a session error), `budget_reached` or
 *   `refusal`, or it was terminated or deleted;
 * - started: it has not finished a turn yet, or waits on a tool confirmation or custom tool
 *   result (`requires_action`; not at work, so it does not hold back the next tick).
 */
export async function runOutcome(store: Store, sessionId: string): Promise<RunOutcome> {
  const [latest] = await store.events.list({
    sessionId,
    types: STATUS_TYPES,
    threadId: null,
    order: 'desc',
    limit: 1,
  });
  if (!latest) {
    const session = await store.resources.get('session', sessionId);
    return session ? { status: 'started', working: true } : { status: 'failed', reason: 'session deleted' };
  }
  const event = latest.doc as SessionEvent;
  switch (event.type) {
    case 'session.status_running':
    case 'session.status_rescheduled':
      return { status: 'started', working: true };
    case 'session.status_terminated':
      return { status: 'failed', reason: 'session terminated' };
    case 'session.deleted':
      return { status: 'failed', reason: 'session deleted' };
    case 'session.status_idle': {
      const stop = event.stop_reason.type;
      if (stop === 'end_turn') return { status: 'succeeded' };
      if (stop === 'requires_action') return { status: 'started', working: false };
      if (stop === 'retries_exhausted')
        return { status: 'failed', reason: `session error: ${await lastError(store, sessionId)}` };
      if (stop === 'budget_reached') return { status: 'failed', reason: 'session budget reached' };
      return { status: 'failed', reason: `session stopped: ${stop}` };
    }
    default:
      return { status: 'started', working: true };
  }
}

async function lastError(store: Store, sessionId: string): Promise<string> {
  const [error] = await store.events.list({ sessionId, types: ['session.error'], order: 'desc', limit: 1 });
  const doc = error?.doc as { error?: { type?: string; message?: string } } | undefined;
  return doc?.error ? `${doc.error.type}: ${doc.error.message}` : 'retries exhausted';
}
