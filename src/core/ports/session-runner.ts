/**
 * How the API tells the harness that a session has new input. The harness
 * (src/core/harness) implements it; on several nodes the signal travels
 * through the EventBus.
 */
export interface SessionRunner {
  /** A session got input that may make it runnable (user.message, results, confirmations). */
  notify(sessionId: string): void;
  /** user.interrupt: stop the running turn promptly (a thread, or every thread). */
  interrupt(sessionId: string, threadId?: string | null): void;
}

export const idleRunner: SessionRunner = {
  notify() {},
  interrupt() {},
};
