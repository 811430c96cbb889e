import type { RetryPolicy } from '../harness/retry-policy.js';
import {
  type ModelContentBlock,
  ModelProviderError,
  type ModelRequest,
  type ModelRouter,
  type ModelUsageReport,
} from '../ports/model-provider.js';

export interface DreamModelDeps {
  router: ModelRouter;
  retry: RetryPolicy;
  /** Every answered attempt's usage, as soon as it is known (metered even if a later step fails). */
  onUsage(usage: ModelUsageReport): Promise<void>;
}

/** Thrown when the model failed for good: the dream fails with this `type` and message. */
export class DreamModelError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'DreamModelError';
  }
}

/**
 * One model request with the harness's retry policy: retryable upstream errors (429, 529, 5xx,
 * network) are tried again with the same backoff a session uses. Aborting throws the signal's reason.
 */
export async function askDreamModel(
  deps: DreamModelDeps,
  request: ModelRequest,
  signal: AbortSignal,
): Promise<ModelContentBlock[]> {
  const provider = deps.router.providerFor(request.model);
  for (let attempt = 1; ; attempt++) {
    try {
      const blocks: ModelContentBlock[] = [];
      for await (const part of provider.stream(request, signal)) {
        if (part.type === 'block-end') blocks[part.index] = part.block;
        else if (part.type === 'message-end') await deps.onUsage(part.usage);
      }
      return blocks.filter((block) => block !== undefined);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const providerError = error instanceof ModelProviderError ? error : undefined;
      if (!providerError) throw error;
      if (!providerError.retryable || attempt >= deps.retry.maxAttempts)
        throw new DreamModelError(
          providerError.kind === 'overloaded' ? 'overloaded_error' : 'model_request_failed',
          `model request failed after ${attempt} attempt(s): ${providerError.message}`,
        );
      const delay = Math.min(deps.retry.maxDelayMs, deps.retry.baseDelayMs * 2 ** (attempt - 1));
      await sleep(delay * (0.8 + Math.random() * 0.4), signal);
      if (signal.aborted) throw signal.reason;
    }
  }
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
