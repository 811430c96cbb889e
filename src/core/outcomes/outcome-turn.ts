import type { SessionEvent } from '../events/session-event.js';
import type { RunDependencies } from '../harness/run-session.js';
import type { LogEntry, SessionState } from '../harness/session-state.js';
import { budgetExceeded } from '../metering/budget.js';
import { DEFAULT_PRICES } from '../metering/prices.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import type { TurnRef } from '../ports/telemetry.js';
import { NO_TELEMETRY } from '../ports/telemetry.js';
import { DEFAULT_OUTCOME_HEARTBEAT_MS, type OutcomeStepResult, stepOutcome } from './outcome-step.js';
import { readOutputFiles } from './output-files.js';

/**
 * The outcome's part of a turn that has nothing else left to do (run-session.ts):
 * the harness's dependencies mapped onto the outcome step. A grader request is a
 * model request, so the session's budget and its workspace's monthly limit gate it
 * as they gate the agent's (`budget_reached`; a raised budget resumes the grading),
 * and the session is running while it grades.
 */
export function gradeOutcome(
  deps: RunDependencies,
  context: {
    session: HarnessSession;
    state: SessionState;
    events: readonly LogEntry[];
    signal: AbortSignal;
    turn: TurnRef | undefined;
    ensureRunning: () => Promise<SessionEvent[]>;
  },
): Promise<OutcomeStepResult> {
  const { session, state, events, signal } = context;
  const stoppedForBudget = state.lastIdle?.stopReason.type === 'budget_reached';
  return stepOutcome({
    sessionId: session.id,
    agentModel: session.agent.model.id,
    log: deps.log,
    router: deps.router,
    clock: deps.clock,
    settings: deps.outcomes ?? { heartbeatMs: DEFAULT_OUTCOME_HEARTBEAT_MS },
    events,
    // Idle for the budget: the grading it held back resumes once the budget allows.
    idle: state.status === 'idle' && !stoppedForBudget,
    outputFiles: () => readOutputFiles(deps.tools, session, events, signal),
    telemetry: { telemetry: deps.telemetry ?? NO_TELEMETRY, turn: context.turn },
    mayGrade: async () => {
      const logged = (deps.log.readSession ? await deps.log.readSession(session.id) : events).map(
        (entry) => entry.event,
      );
      if (
        budgetExceeded(session, logged, deps.clock.now(), deps.prices ?? DEFAULT_PRICES) ||
        (await deps.sessions.workspaceSpendReached?.(session.id))
      )
        return false;
      await context.ensureRunning();
      return true;
    },
    signal,
  });
}
