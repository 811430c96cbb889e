import type { Clock } from '../clock.js';
import type { DraftEvent, SessionEvent } from '../events/session-event.js';
import { budgetExceededOf, budgetStopAnnounced } from '../metering/budget.js';
import { DEFAULT_PRICES, type PriceTable } from '../metering/prices.js';
import type { OutcomeSettings } from '../outcomes/outcome-step.js';
import { gradeOutcome } from '../outcomes/outcome-turn.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { HarnessSessions } from '../ports/harness-sessions.js';
import type { ModelRouter } from '../ports/model-provider.js';
import { NO_TELEMETRY, type Telemetry } from '../ports/telemetry.js';
import type { ToolRunner } from '../ports/tool-runner.js';
import { keyAt, stepPosition } from './append-keys.js';
import { assembleRequest } from './build-model-request.js';
import { compactHistory, DEFAULT_CONTEXT_WINDOW_TOKENS, needsCompaction } from './compaction.js';
import { FoldCheckpoints } from './fold-checkpoints.js';
import { handleModelError } from './model-error.js';
import { modelRequestEndKey, runModelStep } from './model-step.js';
import type { AutoJudge } from './permissions.js';
import type { RetryPolicy } from './retry-policy.js';
import { goIdle, saveUsageSnapshot, usageSnapshotDue } from './session-idle.js';
import { awaitingClient, type SessionState } from './session-state.js';
import { StepSession } from './step-session.js';
import { agentToolNames, buildToolCatalog } from './tool-catalog.js';
import { placeToolUses } from './tool-placement.js';
import { errorOutcome, resultEvent, resultKey, runToolStep } from './tool-step.js';
import { lastTurn, openTurn, reportModelRequest, reportToolCall } from './turn-telemetry.js';

export interface RunDependencies {
  log: HarnessLog;
  sessions: HarnessSessions;
  router: ModelRouter;
  tools: ToolRunner;
  clock: Clock;
  retry: RetryPolicy;
  judge?: AutoJudge | undefined;
  /** Upper bound on steps per wake, so a looping model cannot spin forever. */
  maxSteps: number;
  /** History beyond 80% of this is compacted before the next call (default 200k tokens). */
  contextWindowTokens?: number | undefined;
  /** List prices for `usage.list_cost` and budgets; default: the guide's (DEFAULT_PRICES). */
  prices?: PriceTable | undefined;
  /** Metrics and spans for operators (ports/telemetry.ts); default: none. */
  telemetry?: Telemetry | undefined;
  /** The outcome grader's model, heartbeat and rubric files (src/core/outcomes/). */
  outcomes?: OutcomeSettings | undefined;
  /** The child thread this loop drives (its usage is its own requests); undefined for the primary. */
  threadId?: string | undefined;
  /**
   * Folds kept between steps and wakes, so a step folds only what was appended since
   * (fold-checkpoints.ts); without it, each run keeps its own from its first step.
   */
  folds?: FoldCheckpoints | undefined;
}

export interface RunOptions {
  sessionId: string;
  signal: AbortSignal;
  /** True when waking after a crash or lease takeover: allowed tool uses without a result are not re-run. */
  recovering: boolean;
  /**
   * Asked before the (primary) thread goes idle with nothing left to do:
   * `wait` while child threads still run (the session stays running), or
   * `requires_action` with the ids child threads wait on.
   */
  idleGate?: (() => Promise<IdleGate>) | undefined;
}

export type IdleGate = { type: 'idle' } | { type: 'wait' } | { type: 'requires_action'; event_ids: string[] };

/**
 * Drives a session until it needs someone else: the client (requires_action),
 * the user (end_turn), or nothing at all. Every decision is taken from the
 * log, so this can stop at any point and be called again.
 */
export async function runSession(given: RunDependencies, options: RunOptions): Promise<void> {
  const folds = given.folds ?? new FoldCheckpoints();
  const deps: RunDependencies = { ...given, folds };
  const { log, sessions } = deps;
  const { sessionId, signal } = options;
  let recovering = options.recovering;
  let attempt = 0;
  const view = deps.threadId ?? 'primary';

  // The primary loop reloads the session only when its log shows a change (step-session.ts).
  const current = new StepSession(sessions, sessionId, deps.threadId === undefined);

  for (let step = 0; step < deps.maxSteps; step++) {
    if (signal.aborted) return;
    const events = await log.read(sessionId);
    const session = await current.load(events);
    if (!session || session.archived) {
      // Archived or deleted: nothing of it stays cached here.
      folds.drop(sessionId);
      log.drop?.(sessionId);
      return;
    }
    // Folded from the checkpoint of this view: only entries appended since the last step are new.
    const folded = folds.wake(sessionId, view, events);
    const state = placeToolUses(folded.state(), session);
    if (state.status === 'terminated') return;
    // Every append of this step is keyed from where it stands (append-keys.ts).
    const position = stepPosition(events);
    const append = (drafts: DraftEvent[], what: string) =>
      log.append(sessionId, drafts, keyAt(position, what));
    const telemetry = deps.telemetry ?? NO_TELEMETRY;
    // The turn this step belongs to, once the step has made sure the session is running.
    const turnAfter = (opened: SessionEvent[]) =>
      openTurn([...lastTurn(events), ...opened], sessionId, session.agent.name);

    if (state.danglingModelRequestId) {
      const startId = state.danglingModelRequestId;
      await log.append(sessionId, [endDangling(startId)], modelRequestEndKey(startId));
      continue;
    }

    const cancelled = state.unresolved.filter(
      (pending) =>
        pending.seq < state.lastInterruptSeq ||
        (recovering && pending.decision === 'allow') ||
        pending.decision === 'deny',
    );
    if (cancelled.length > 0) {
      await log.append(
        sessionId,
        cancelled.map((pending) =>
          resultEvent(
            pending,
            errorOutcome(
              pending.decision === 'deny'
                ? (pending.denyMessage ?? `permission to use ${pending.event.name} was denied`)
                : pending.seq < state.lastInterruptSeq
                  ? 'the user interrupted this tool call'
                  : 'execution was interrupted (the server restarted while this tool ran); it was not re-run',
            ),
          ),
        ),
        cancelled.map(resultKey),
      );
      continue;
    }
    recovering = false;

    const waiting = awaitingClient(state);
    if (waiting.length > 0) {
      if (!alreadyAwaiting(state, waiting)) {
        await goIdle(deps, session, { type: 'requires_action', event_ids: waiting }, position);
      }
      return;
    }

    const runnable = state.unresolved.filter((pending) => pending.decision === 'allow');
    if (runnable.length > 0) {
      const turn = turnAfter(await ensureRunning(state, append));
      const catalog = buildToolCatalog(
        session.agent,
        (await deps.tools.extraTools?.(session, agentToolNames(session.agent))) ?? [],
      );
      for (const pending of runnable) {
        await reportToolCall(telemetry, deps.clock, turn, pending, () =>
          runToolStep({ session, pending, catalog, tools: deps.tools, log, signal }),
        );
      }
      continue;
    }

    if (state.hasNewInput) {
      // Budget hook: once spend reaches the session's budget, stop before calling the model.
      // budget_reached keeps the input queued, so raising the budget (and a notify) resumes the turn.
      // Spend is the whole session's, every thread included.
      const spent = async () =>
        folds.usage(sessionId, log.readSession ? await log.readSession(sessionId) : events, deps.clock.now());
      if (
        (session.budget && budgetExceededOf(session, await spent(), deps.prices ?? DEFAULT_PRICES)) ||
        (await sessions.workspaceSpendReached?.(sessionId))
      ) {
        if (!budgetStopAnnounced(events)) await goIdle(deps, session, { type: 'budget_reached' }, position);
        return;
      }
      const turn = turnAfter(await ensureRunning(state, append));
      try {
        const catalog = buildToolCatalog(
          session.agent,
          (await deps.tools.extraTools?.(session, agentToolNames(session.agent))) ?? [],
        );
        const history = folded.history.sized();
        const request = assembleRequest(session.agent, catalog.definitions, history.messages);
        const provider = deps.router.providerFor(session.agent.model.id);
        const window = deps.contextWindowTokens ?? DEFAULT_CONTEXT_WINDOW_TOKENS;
        if (needsCompaction(request, window, history.jsonLength)) {
          await compactHistory({ sessionId, log, provider, request, signal, position });
          continue;
        }
        const result = await reportModelRequest(telemetry, deps.clock, turn, session.agent.model.id, () =>
          runModelStep({
            sessionId,
            log,
            position,
            provider,
            buildRequest: async (startId) => {
              const current = await log.read(sessionId);
              const upTo = current.findLastIndex((entry) => entry.event.id === startId);
              const before = upTo < 0 ? current : current.slice(0, upTo);
              // Nothing landed between the estimate and the start: the request already built is the one.
              if (before.length === events.length && before.at(-1)?.seq === events.at(-1)?.seq)
                return request;
              // What landed meanwhile (this step's own status_running, late input) is folded onto
              // the checkpoint: the request a whole fold of `before` would build (decision 0025).
              const caughtUp = folds.wake(sessionId, view, before).history.messages();
              return assembleRequest(session.agent, catalog.definitions, caughtUp);
            },
            catalog,
            judge: deps.judge,
            signal,
          }),
        );
        attempt = 0;
        // The turn goes on (tools next): a mid-turn snapshot keeps usage.list_cost live.
        if (result.stopReason === 'tool_use' && usageSnapshotDue(events, deps.clock.now())) {
          await saveUsageSnapshot(deps, session, position);
        }
        if (result.stopReason === 'refusal') {
          await goIdle(deps, session, { type: 'refusal' }, position);
          return;
        }
      } catch (error) {
        if (signal.aborted) return;
        attempt += 1;
        const retry = await handleModelError(deps, session, error, { attempt, position }, signal);
        if (!retry) return;
      }
      continue;
    }

    const gate = (await options.idleGate?.()) ?? { type: 'idle' };
    if (gate.type === 'wait') {
      await ensureRunning(state, append);
      return;
    }
    if (gate.type === 'requires_action') {
      if (!alreadyAwaiting(state, gate.event_ids)) {
        await goIdle(deps, session, { type: 'requires_action', event_ids: gate.event_ids }, position);
      }
      return;
    }
    // An outcome in progress is graded before the turn may end (src/core/outcomes/).
    try {
      const outcome = await gradeOutcome(deps, {
        session,
        state,
        events,
        signal,
        turn: turnAfter([]),
        ensureRunning: () => ensureRunning(state, append),
      });
      if (outcome === 'budget_reached') {
        if (!budgetStopAnnounced(events)) await goIdle(deps, session, { type: 'budget_reached' }, position);
        return;
      }
      if (outcome === 'stepped') {
        attempt = 0;
        continue;
      }
    } catch (error) {
      if (signal.aborted) return;
      attempt += 1;
      if (await handleModelError(deps, session, error, { attempt, position }, signal)) continue;
      return;
    }
    if (state.status !== 'idle' || state.lastIdle?.stopReason.type === 'requires_action') {
      await goIdle(deps, session, { type: 'end_turn' }, position);
    }
    return;
  }
  // Too many steps in one wake: stop the turn rather than loop forever.
  const position = stepPosition(await log.read(sessionId));
  await log.append(
    sessionId,
    [
      {
        type: 'session.error',
        error: {
          type: 'tool_use_limit_reached_error',
          message: `the turn exceeded ${deps.maxSteps} steps`,
          retry_status: { type: 'exhausted' },
        },
      },
    ],
    keyAt(position, 'step_limit'),
  );
  const session = await sessions.load(sessionId);
  if (session) await goIdle(deps, session, { type: 'retries_exhausted' }, position);
}

function endDangling(startId: string): DraftEvent {
  return {
    type: 'span.model_request_end',
    model_request_start_id: startId,
    is_error: true,
    model_usage: {
      input_tokens: 0,
      output_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    },
  };
}

function alreadyAwaiting(state: SessionState, waiting: string[]): boolean {
  const reason = state.lastIdle?.stopReason;
  if (state.status !== 'idle' || reason?.type !== 'requires_action') return false;
  return reason.event_ids.length === waiting.length && reason.event_ids.every((id) => waiting.includes(id));
}

/** Returns the status event it appended, if any (it may open a turn). */
async function ensureRunning(
  state: SessionState,
  append: (drafts: DraftEvent[], what: string) => Promise<SessionEvent[]>,
): Promise<SessionEvent[]> {
  if (state.status === 'running') return [];
  return append([{ type: 'session.status_running' }], 'session.status_running');
}
