import type { Session, SessionUsage } from '../domain/session.js';
import { type SessionEvent, STATUS_OF_EVENT } from '../events/session-event.js';
import { OUTCOME_PROJECTION_TYPES, projectOutcome } from '../outcomes/outcome-projection.js';

/**
 * Folds newly committed events into the session record's projections. The log
 * stays the source of truth; these fields only make reads and list filters cheap.
 * Returns undefined when nothing changed.
 */
export function projectEvents(session: Session, events: readonly SessionEvent[]): Session | undefined {
  let next = session;
  for (const event of events) {
    const status = STATUS_OF_EVENT[event.type];
    // Terminated is final: a late status event from a harness must not revive the session.
    if (status && next.status !== 'terminated' && next.status !== status) {
      next = { ...next, status };
    }
    if (OUTCOME_PROJECTION_TYPES.has(event.type)) next = projectOutcome(next, event);
    if (event.type === 'session.usage') {
      next = { ...next, usage: { ...next.usage, ...(event.usage as Partial<SessionUsage>) } };
      if (event.budget !== undefined) next = { ...next, budget: event.budget as Session['budget'] };
    }
  }
  return next === session ? undefined : next;
}
