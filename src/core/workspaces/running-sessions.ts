import { PaddockError } from '../errors.js';
import type { Store } from '../ports/store.js';
import type { WorkspaceLimits } from './workspace.js';
import { runInWorkspaceScope } from './workspace-scope.js';

const RUNNING = ['running', 'rescheduling'];

/** How long a client refused for concurrency waits before trying again (the SDK honours it). */
const RETRY_AFTER_SECONDS = 5;

/**
 * A workspace's concurrent running sessions. Input that would start a turn on an idle session is
 * refused with 429 (rate_limit_error, retry-after) while the workspace already runs its limit;
 * input to a session that is already running only queues, so it always passes. Two clients
 * starting turns in the same instant may both pass: the limit is a ceiling on admissions, not a
 * lock.
 */
export class RunningSessions {
  constructor(
    private readonly store: Store,
    private readonly limitsOf: (workspaceId: string) => Promise<WorkspaceLimits | undefined>,
  ) {}

  async admitTurn(sessionId: string): Promise<void> {
    const session = await this.store.resources.get('session', sessionId);
    if (!session?.workspaceId || (session.status !== null && RUNNING.includes(session.status))) return;
    const workspaceId = session.workspaceId;
    const max = (await this.limitsOf(workspaceId))?.max_running_sessions ?? null;
    if (max === null) return;
    const running = await runInWorkspaceScope({ workspaceId, confined: true }, () =>
      this.store.resources.list({ kind: 'session', statuses: RUNNING, order: 'asc', limit: max }),
    );
    if (running.items.length >= max) {
      throw new PaddockError(
        'rate_limited',
        `workspace ${workspaceId} already runs ${running.items.length} sessions (its limit is ${max}); retry when one is idle`,
        { errorCode: 'workspace_concurrency_limited', retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
  }
}
