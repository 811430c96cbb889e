import type { SessionEvent } from '../events/session-event.js';
import type { HarnessSession, HarnessSessions } from '../ports/harness-sessions.js';
import type { LogEntry } from './session-state.js';

/**
 * The session as one wake's steps see it, loaded once and reused while the log says it cannot
 * have changed (issue #21: a step re-read the session, its environment and its skills).
 *
 * Everything a HarnessSession holds changes only together with an event in the session's own
 * log: a status change (`session.status_*`, archive included), `session.updated` (agent tools,
 * budget), client input (`user.*`). The harness's own step output (`agent.*`, `span.*`,
 * `session.usage`) changes none of it, and memory stores, which feed the agent's prompt, are
 * fixed at creation. So the session is loaded again whenever an entry the loop has not yet
 * seen is anything but step output: it is then exactly what a fresh read at that step returns.
 * Deletion and archive also abort the run (SessionCommands → Harness.interrupt).
 *
 * Only the primary thread's loop keeps it: a child thread's view of the log leaves out the
 * session-wide events, so a child loads the session at every step as before.
 */
export class StepSession {
  private cached: HarnessSession | undefined;
  /** The seq of the last log entry seen when `cached` was loaded or last confirmed. */
  private seenSeq = 0;

  constructor(
    private readonly sessions: HarnessSessions,
    private readonly sessionId: string,
    private readonly reuse: boolean,
  ) {}

  /** The session for a step over `events` (the loop's view of the log, just read). */
  async load(events: readonly LogEntry[]): Promise<HarnessSession | undefined> {
    const lastSeq = events.at(-1)?.seq ?? 0;
    if (this.reuse && this.cached && unchangedSince(events, this.seenSeq)) {
      this.seenSeq = lastSeq;
      return this.cached;
    }
    this.cached = await this.sessions.load(this.sessionId);
    this.seenSeq = lastSeq;
    return this.cached;
  }
}

function unchangedSince(events: readonly LogEntry[], seenSeq: number): boolean {
  for (let index = events.length - 1; index >= 0; index--) {
    const entry = events[index];
    if (!entry || entry.seq <= seenSeq) return true;
    if (!isStepOutput(entry.event)) return false;
  }
  // Nothing in the view was seen before: load.
  return false;
}

function isStepOutput(event: SessionEvent): boolean {
  return event.type.startsWith('agent.') || event.type.startsWith('span.') || event.type === 'session.usage';
}
