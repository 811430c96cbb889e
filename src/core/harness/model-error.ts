import type { SessionErrorObject } from '../events/session-event.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import { ModelProviderError } from '../ports/model-provider.js';
import { keyAt, type StepPosition } from './append-keys.js';
import type { RunDependencies } from './run-session.js';
import { goIdle } from './session-idle.js';

// A failed model request: retried with backoff while the error is retryable, else the turn ends.

/** Returns true when the step should be tried again. */
export async function handleModelError(
  deps: RunDependencies,
  session: HarnessSession,
  error: unknown,
  { attempt, position }: { attempt: number; position: StepPosition },
  signal: AbortSignal,
): Promise<boolean> {
  const providerError = error instanceof ModelProviderError ? error : undefined;
  const retryable = providerError ? providerError.retryable : false;
  const type =
    providerError?.kind === 'overloaded'
      ? 'model_overloaded_error'
      : providerError?.kind === 'rate_limited'
        ? 'model_rate_limited_error'
        : providerError
          ? 'model_request_failed_error'
          : 'unknown_error';
  const message = error instanceof Error ? error.message : String(error);
  const exhausted = !retryable || attempt >= deps.retry.maxAttempts;
  const errorObject: SessionErrorObject = {
    type,
    message,
    retry_status: { type: exhausted ? 'exhausted' : 'retrying' },
  };
  if (exhausted) {
    await deps.log.append(
      session.id,
      [{ type: 'session.error', error: errorObject }],
      keyAt(position, 'session.error'),
    );
    await goIdle(deps, session, { type: 'retries_exhausted' }, position);
    return false;
  }
  await deps.log.append(
    session.id,
    [{ type: 'session.error', error: errorObject }, { type: 'session.status_rescheduled' }],
    keyAt(position, 'retry'),
  );
  const delay = Math.min(deps.retry.maxDelayMs, deps.retry.baseDelayMs * 2 ** (attempt - 1));
  await sleep(delay * (0.8 + Math.random() * 0.4), signal);
  if (signal.aborted) return false;
  // Not `session.status_running` at this position: that key may already hold this step's first one.
  await deps.log.append(session.id, [{ type: 'session.status_running' }], keyAt(position, 'retry_running'));
  return true;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
