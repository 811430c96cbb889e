import { assembleRequest, buildModelRequest } from '../src/core/harness/build-model-request.js';
import { FoldCheckpoints } from '../src/core/harness/fold-checkpoints.js';
import { createHarnessLog } from '../src/core/harness/session-log-adapters.js';
import { foldSessionState, type LogEntry } from '../src/core/harness/session-state.js';
import { usageSnapshot, usageSnapshotOf } from '../src/core/metering/list-cost.js';
import { DEFAULT_PRICES } from '../src/core/metering/prices.js';
import type { EventLog } from '../src/core/sessions/event-log.js';

const STEPS = 200;
const agent = {
  model: { id: 'claude-sonnet-4-6' },
  system: 'You are an expert Python developer.',
} as Parameters<typeof buildModelRequest>[0];

/**
 * What a wake derives from a session's log at each step (state, the request's conversation,
 * usage), in milliseconds per step, over the real log of `sessionId` as the harness reads it:
 * `whole` folds every read from the start (the harness before decision 0025), `checkpoint`
 * continues from the fold of the previous read. Each of the last STEPS entries is one step's
 * news, so both see the log grow by one entry a step, as a running turn does.
 */
export async function foldWorkPerStep(
  events: EventLog,
  sessionId: string,
): Promise<{ whole: number; checkpoint: number }> {
  const entries = await createHarnessLog(events, 'bench').read(sessionId);
  const start = Math.max(0, entries.length - STEPS);
  const reads: LogEntry[][] = [];
  for (let end = start + 1; end <= entries.length; end++) reads.push(entries.slice(0, end));
  const now = Date.now();
  const timed = (step: (read: LogEntry[]) => void) => {
    const began = performance.now();
    for (const read of reads) step(read);
    return (performance.now() - began) / reads.length;
  };
  const whole = timed((read) => {
    foldSessionState(read);
    buildModelRequest(agent, [], read);
    usageSnapshot(
      read.map((entry) => entry.event),
      now,
      DEFAULT_PRICES,
      agent.model.id,
    );
  });
  const folds = new FoldCheckpoints();
  folds.wake(sessionId, 'primary', entries.slice(0, start));
  folds.usage(sessionId, entries.slice(0, start), now);
  const checkpoint = timed((read) => {
    const wake = folds.wake(sessionId, 'primary', read);
    wake.state();
    assembleRequest(agent, [], wake.history.messages());
    usageSnapshotOf(folds.usage(sessionId, read, now), DEFAULT_PRICES, agent.model.id);
  });
  return { whole, checkpoint };
}
