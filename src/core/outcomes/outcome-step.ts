import type { Clock } from '../clock.js';
import type { DraftEvent, ModelUsage } from '../events/session-event.js';
import { answerKey } from '../harness/append-keys.js';
import type { LogEntry } from '../harness/session-state.js';
import { reportModelRequest } from '../harness/turn-telemetry.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { ModelContentBlock, ModelRouter } from '../ports/model-provider.js';
import type { Telemetry, TurnRef } from '../ports/telemetry.js';
import { buildGraderRequest, type GraderVerdict, parseVerdict } from './grader-request.js';
import {
  DEFAULT_MAX_ITERATIONS,
  foldOutcome,
  type OutcomeResult,
  type OutcomeState,
  rubricOf,
} from './outcome-state.js';

export interface OutcomeSettings {
  /** The grader's model (PADDOCK_OUTCOME_GRADER_MODEL); default: the session agent's model. */
  graderModel?: string | undefined;
  /**
   * Least time between two `span.outcome_evaluation_ongoing` heartbeats
   * (PADDOCK_OUTCOME_HEARTBEAT_MS). Beats come from a timer and from the grader's
   * stream progress, each checked against the clock; 0 beats on every part the
   * grader's stream delivers (deterministic, for tests).
   */
  heartbeatMs: number;
  /** Resolves a file rubric (`{type: "file", file_id}`) to its text. */
  readRubricFile?: ((fileId: string) => Promise<string>) | undefined;
}

export const DEFAULT_OUTCOME_HEARTBEAT_MS = 10_000;
const ZERO_USAGE: ModelUsage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

export interface OutcomeStepContext {
  sessionId: string;
  /** The session agent's model: the grader's unless configured otherwise. */
  agentModel: string;
  log: HarnessLog;
  router: ModelRouter;
  clock: Clock;
  settings: OutcomeSettings;
  /** The primary thread's log, as the step was folded from it. */
  events: readonly LogEntry[];
  /** The session is idle: an interrupt still ends the outcome, but no evaluation starts. */
  idle: boolean;
  /**
   * Asked before an evaluation starts or resumes: false when the session may not make another
   * model request (its budget); true once the session is running.
   */
  mayGrade?: (() => Promise<boolean>) | undefined;
  /** Grader requests are counted and traced like the agent's (model requests of the turn). */
  telemetry?: { telemetry: Telemetry; turn: TurnRef | undefined } | undefined;
  /** The deliverable files (/mnt/session/outputs) as text, when there are any (output-files.ts). */
  outputFiles?: (() => Promise<string | undefined>) | undefined;
  signal: AbortSignal;
}

/**
 * The outcome's step when the agent's turn has nothing left to do. Everything is
 * decided from the log, so a crash at any point resumes here: an evaluation that
 * started and never ended is graded again, and every append is keyed, so a
 * verdict is applied once. Returns `none` when no outcome needs anything (the
 * turn ends as usual), `budget_reached` when the budget holds the grading back. Grader failures throw (ModelProviderError: the caller
 * retries as for any model request); an abort throws the signal's reason.
 */
export type OutcomeStepResult = 'none' | 'stepped' | 'budget_reached';

export async function stepOutcome(context: OutcomeStepContext): Promise<OutcomeStepResult> {
  const outcome = foldOutcome(context.events);
  if (!outcome || outcome.terminal) return 'none';
  const { log, sessionId } = context;
  const { define } = outcome;
  if (outcome.interrupted) {
    await log.append(
      sessionId,
      [
        endEvent(outcome, outcome.open?.startId ?? '', outcome.open?.iteration ?? outcome.iteration, {
          result: 'interrupted',
          explanation: 'The user interrupted the session while the outcome was being worked on.',
        }),
      ],
      answerKey(define.id, 'interrupted'),
    );
    return 'stepped';
  }
  if (context.idle) return 'none';
  if (context.mayGrade && !(await context.mayGrade())) return 'budget_reached';
  let open = outcome.open;
  if (!open) {
    const [start] = await log.append(
      sessionId,
      [
        {
          type: 'span.outcome_evaluation_start',
          outcome_id: define.outcome_id,
          iteration: outcome.iteration,
        },
      ],
      answerKey(define.id, `evaluation#${outcome.iteration}`),
    );
    open = { startId: start?.id ?? '', iteration: outcome.iteration, heartbeats: 0 };
  }
  const evaluation = open;
  const graded = await observed(context, () =>
    grade(context, outcome, evaluation.startId, evaluation.iteration, evaluation.heartbeats),
  );
  const maxIterations = define.max_iterations ?? DEFAULT_MAX_ITERATIONS;
  const result: OutcomeResult =
    graded.verdict.result === 'needs_revision' && open.iteration + 1 >= maxIterations
      ? 'max_iterations_reached'
      : graded.verdict.result;
  await log.append(
    sessionId,
    [
      endEvent(outcome, open.startId, open.iteration, {
        ...graded.verdict,
        result,
        usage: graded.usage,
        model: graded.model,
      }),
    ],
    answerKey(open.startId, 'span.outcome_evaluation_end'),
  );
  return 'stepped';
}

type Graded = { verdict: GraderVerdict; usage: ModelUsage; model: string };

/** The grader's request reported to operators' metrics and traces as a `chat` span of the turn. */
async function observed(context: OutcomeStepContext, run: () => Promise<Graded>): Promise<Graded> {
  const observer = context.telemetry;
  if (!observer) return run();
  let graded: Graded | undefined;
  const model = context.settings.graderModel ?? context.agentModel;
  await reportModelRequest(observer.telemetry, context.clock, observer.turn, model, async () => {
    graded = await run();
    return { stopReason: 'end_turn', usage: graded.usage };
  });
  if (!graded) throw new Error('the grader returned nothing');
  return graded;
}

function endEvent(
  outcome: OutcomeState,
  startId: string,
  iteration: number,
  verdict: { result: OutcomeResult; explanation: string; usage?: ModelUsage; model?: string },
): DraftEvent {
  return {
    type: 'span.outcome_evaluation_end',
    outcome_evaluation_start_id: startId,
    outcome_id: outcome.define.outcome_id,
    iteration,
    result: verdict.result,
    explanation: verdict.explanation,
    usage: verdict.usage ?? ZERO_USAGE,
    ...(verdict.model ? { model: verdict.model } : {}),
  };
}

/** One grader call, with heartbeats while it runs. */
async function grade(
  context: OutcomeStepContext,
  outcome: OutcomeState,
  startId: string,
  iteration: number,
  heartbeatsLogged: number,
): Promise<Graded> {
  const { log, sessionId, clock, settings } = context;
  const model = settings.graderModel ?? context.agentModel;
  const rubric = await rubricText(outcome, settings);
  if (rubric.error !== undefined)
    return { verdict: { result: 'failed', explanation: rubric.error }, usage: ZERO_USAGE, model };

  let beats = heartbeatsLogged;
  let lastBeat = clock.now();
  let appending: Promise<void> = Promise.resolve();
  const beat = () => {
    if (clock.now() - lastBeat < settings.heartbeatMs) return;
    lastBeat = clock.now();
    const draft: DraftEvent = {
      type: 'span.outcome_evaluation_ongoing',
      outcome_id: outcome.define.outcome_id,
      iteration,
    };
    const key = answerKey(startId, `ongoing#${beats++}`);
    // A heartbeat that fails to append is only a missed heartbeat.
    appending = appending.then(() =>
      log.append(sessionId, [draft], key).then(
        () => undefined,
        () => undefined,
      ),
    );
  };
  const timer = settings.heartbeatMs > 0 ? setInterval(beat, settings.heartbeatMs) : undefined;
  timer?.unref();

  const request = buildGraderRequest({
    model,
    define: outcome.define,
    rubricText: rubric.text,
    iteration,
    log: context.events,
    files: await context.outputFiles?.(),
  });
  const blocks: ModelContentBlock[] = [];
  let usage = ZERO_USAGE;
  try {
    for await (const part of context.router.providerFor(model).stream(request, context.signal)) {
      beat();
      if (part.type === 'block-end') blocks.push(part.block);
      if (part.type === 'message-end') {
        usage = {
          input_tokens: part.usage.input_tokens,
          output_tokens: part.usage.output_tokens,
          cache_read_input_tokens: part.usage.cache_read_input_tokens,
          cache_creation_input_tokens: part.usage.cache_creation_input_tokens,
        };
      }
    }
  } finally {
    if (timer) clearInterval(timer);
    await appending.catch(() => undefined);
  }
  const verdict = parseVerdict(blocks) ?? {
    result: 'failed' as const,
    explanation: 'The grader gave no verdict (no submit_verdict call and no JSON verdict in its reply).',
  };
  return { verdict, usage, model };
}

async function rubricText(
  outcome: OutcomeState,
  settings: OutcomeSettings,
): Promise<{ text: string; error?: undefined } | { text?: undefined; error: string }> {
  const rubric = rubricOf(outcome.define);
  if (rubric.type === 'text') return { text: rubric.content };
  try {
    if (!settings.readRubricFile) throw new Error('no file access');
    return { text: await settings.readRubricFile(rubric.file_id) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { error: `The rubric file ${rubric.file_id} could not be read: ${reason}` };
  }
}
