import type { DraftEvent } from '../events/session-event.js';
import { usageSnapshotOf } from '../metering/list-cost.js';
import { DEFAULT_PRICES } from '../metering/prices.js';
import { threadUsageSnapshotOf } from '../metering/thread-usage.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import { NO_TELEMETRY } from '../ports/telemetry.js';
import { keyAt, type StepPosition } from './append-keys.js';
import { FoldCheckpoints } from './fold-checkpoints.js';
import type { RunDependencies } from './run-session.js';
import type { LogEntry } from './session-state.js';
import { lastTurn, openTurn } from './turn-telemetry.js';

// How a turn ends (idle with its outputs and usage) and when a mid-turn usage snapshot is due.

export async function goIdle(
  deps: RunDependencies,
  session: HarnessSession,
  stopReason: Extract<DraftEvent, { type: 'session.status_idle' }>['stop_reason'],
  position: StepPosition,
): Promise<void> {
  // Outputs and usage first, so a client that stops reading at the idle event already sees them.
  await deps.tools.endTurn?.(session).catch(() => undefined);
  await saveUsageSnapshot(deps, session, position);
  const before = lastTurn(await deps.log.read(session.id));
  await deps.log.append(
    session.id,
    [{ type: 'session.status_idle', stop_reason: stopReason, stop_details: null }],
    keyAt(position, 'session.status_idle'),
  );
  const turn = openTurn(before, session.id, session.agent.name);
  if (turn) (deps.telemetry ?? NO_TELEMETRY).turnEnded(turn, stopReason.type);
}

/** Appends a `session.usage` snapshot (usage with list_cost) and projects usage/stats onto the session. */
export async function saveUsageSnapshot(
  deps: RunDependencies,
  session: HarnessSession,
  position: StepPosition,
): Promise<void> {
  const entries = await (deps.log.readSession ?? deps.log.read)(session.id);
  // Nothing happened since the last snapshot (a mid-turn one, then idle with requires_action):
  // a second, identical session.usage would only repeat it.
  if (entries.at(-1)?.event.type === 'session.usage') return;
  const now = deps.clock.now();
  const prices = deps.prices ?? DEFAULT_PRICES;
  // Folded from the session's checkpoint: only what was appended since the last fold is new.
  const ledger = (deps.folds ?? new FoldCheckpoints()).usage(session.id, entries, now);
  // A child thread's usage is its own requests only; the whole log is read for budgets, not for this.
  const usage = deps.threadId
    ? threadUsageSnapshotOf(ledger, deps.threadId, prices, session.agent.model.id)
    : usageSnapshotOf(ledger, prices, session.agent.model.id);
  const durationSeconds = Math.max(0, (now - Date.parse(session.createdAt)) / 1000);
  const stats = { active_seconds: usage.active_seconds, duration_seconds: durationSeconds };
  await deps.sessions.saveUsage(session.id, { ...usage }, stats, keyAt(position, 'session.usage'));
}

/** Mid-turn usage snapshots: at most one every few seconds, so fast tool loops stay fast. */
const USAGE_SNAPSHOT_INTERVAL_MS = 5_000;

export function usageSnapshotDue(events: readonly LogEntry[], nowMs: number): boolean {
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index]?.event;
    if (event?.type === 'session.usage')
      return nowMs - Date.parse(event.processed_at) >= USAGE_SNAPSHOT_INTERVAL_MS;
  }
  return true;
}
