import type { Session } from '../domain/session.js';
import type { SessionRunner } from '../ports/session-runner.js';
import type { ClientEventInput } from '../schemas/session-events.js';
import type { SessionCreateInput, SessionUpdateInput } from '../schemas/sessions.js';
import type { LoggedEvent } from './event-log.js';
import type { SessionEventService } from './session-event-service.js';
import type { SessionCreateOptions, SessionService } from './session-service.js';

export interface SessionCommandDeps {
  sessions: SessionService;
  sessionEvents: SessionEventService;
  /** Tells whichever node drives the session (the bus carries it there). */
  runner: SessionRunner;
  /** Self-hosted sessions need a work item for a customer's worker to pick up. */
  work: { ensureForSession(sessionId: string): Promise<unknown> };
  /** Whether a session stopped at its budget may run again now. */
  budgets: { budgetAllowsResume(session: Session): Promise<boolean> };
  /** The workspace's concurrent running sessions (core/workspaces/running-sessions.ts). */
  admission?: { admitTurn(sessionId: string): Promise<void> } | undefined;
}

/**
 * A client's writes to a session and what each sets in motion: the harness
 * is told (notify or interrupt), and a self-hosted session gets its work item.
 * Every client (the HTTP routes today; the CLI, deployments and workflows
 * later) goes through here, so each gets the same behaviour.
 */
export class SessionCommands {
  constructor(private readonly deps: SessionCommandDeps) {}

  async create(input: SessionCreateInput, options: SessionCreateOptions = {}): Promise<Session> {
    const { session, initialEvents } = await this.deps.sessions.create(input, options);
    // Self-hosted: a worker must pick the session up (spec §6 server duties).
    await this.deps.work.ensureForSession(session.id);
    if (initialEvents.length > 0) this.deps.runner.notify(session.id);
    return session;
  }

  async update(sessionId: string, input: SessionUpdateInput): Promise<Session> {
    const session = await this.deps.sessions.update(sessionId, input);
    // A raised or removed budget resumes a session that stopped with budget_reached.
    if (input.budget !== undefined && (await this.deps.budgets.budgetAllowsResume(session)))
      this.deps.runner.notify(session.id);
    return session;
  }

  async archive(sessionId: string): Promise<Session> {
    const session = await this.deps.sessions.archive(sessionId);
    // A running turn must stop: the session accepts nothing more.
    this.deps.runner.interrupt(session.id, null);
    return session;
  }

  async delete(sessionId: string): Promise<{ id: string; type: 'session_deleted' }> {
    const deleted = await this.deps.sessions.delete(sessionId);
    this.deps.runner.interrupt(deleted.id, null);
    return deleted;
  }

  /** Appends client events (committed first), then tells the harness about them. */
  async send(sessionId: string, events: readonly ClientEventInput[]): Promise<LoggedEvent[]> {
    if (events.some((event) => event.type !== 'user.interrupt'))
      await this.deps.admission?.admitTurn(sessionId);
    const stored = await this.deps.sessionEvents.send(sessionId, events);
    for (const event of stored) {
      const doc = event.doc;
      if (doc.type === 'user.interrupt') this.deps.runner.interrupt(sessionId, doc.session_thread_id ?? null);
    }
    if (stored.some((event) => event.doc.type !== 'user.interrupt')) {
      // A dormant self-hosted session (its work item stopped) needs a worker again.
      await this.deps.work.ensureForSession(sessionId);
      this.deps.runner.notify(sessionId);
    }
    return stored;
  }
}
