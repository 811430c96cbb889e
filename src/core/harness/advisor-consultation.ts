import type { Clock } from '../clock.js';
import type { SessionEvent } from '../events/session-event.js';
import { budgetExceeded } from '../metering/budget.js';
import type { PriceTable } from '../metering/prices.js';
import { threadUsageSnapshot } from '../metering/thread-usage.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import { ModelProviderError, type ModelRouter } from '../ports/model-provider.js';
import type { ToolOutcome } from '../ports/sandbox.js';
import { answerKey, stepPosition } from './append-keys.js';
import { DEFAULT_MAX_TOKENS, textOf } from './build-model-request.js';
import { modelRequestEndKey, runModelStep } from './model-step.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { foldSessionState } from './session-state.js';
import type { ChildThread, ThreadDirectory } from './thread-directory.js';
import { threadLog } from './thread-scope.js';

export interface AdvisorDependencies {
  log: HarnessLog;
  directory: ThreadDirectory;
  router: ModelRouter;
  clock: Clock;
  prices: PriceTable;
  /** Retries of a retryable upstream error (429, 529, …); the harness's policy by default. */
  retry?: RetryPolicy | undefined;
}

const ADVISOR_SYSTEM =
  'You are an advisor to an AI agent that is working on a task. You see its conversation so far. ' +
  'Give concise, concrete guidance: a plan, a course correction, or the answer to its question. ' +
  'You cannot use tools; the agent acts on your advice.';

/** How much of the primary thread's conversation the advisor reads (its most recent part). */
const TRANSCRIPT_CHARS = 120_000;
const ITEM_CHARS = 4_000;

/**
 * One consultation: the advisor model reads the primary thread's conversation
 * (its own context, not the agent's prompt or tools) and answers in its own
 * session thread (agent `{type: "advisor", model}`), so the consultation's
 * `span.model_request_*`, its message, its tokens and its cost (at the advisor
 * model's prices) are in the log like any model request, and on that thread's
 * usage. The advice comes back as the tool's result. Each step is keyed by the
 * tool use it answers; a consultation cut by a crash is not re-run (the tool
 * use gets an "interrupted" result, as any tool's).
 */
export async function consultAdvisor(
  deps: AdvisorDependencies,
  call: { session: HarnessSession; toolUseId: string; question: string | undefined; signal: AbortSignal },
  advisorModel: string,
): Promise<ToolOutcome> {
  const { session, toolUseId } = call;
  const sessionId = session.id;
  const all = (await deps.log.read(sessionId)).map((entry) => entry.event);
  if (budgetExceeded(session, all, deps.clock.now(), deps.prices))
    return failure('advisor: the session has reached its budget; no consultation was made');
  const primaryId = (await deps.directory.primaryId(sessionId)) ?? sessionId;
  const thread = await deps.directory.create(sessionId, primaryId, { type: 'advisor', model: advisorModel });
  await deps.log.append(
    sessionId,
    [
      {
        type: 'session.thread_created',
        session_thread_id: thread.id,
        agent_name: thread.agentName,
        workflow_run_id: null,
      },
    ],
    answerKey(toolUseId, 'advisor.thread_created'),
  );
  const scoped = threadLog(deps.log, thread, deps.directory);
  await scoped.append(
    sessionId,
    [{ type: 'session.status_running' }],
    answerKey(toolUseId, 'advisor.running'),
  );
  const question = call.question?.trim() || 'What should I do next?';
  let outcome: ToolOutcome;
  let stopReason: 'end_turn' | 'retries_exhausted' = 'end_turn';
  const retry = deps.retry ?? DEFAULT_RETRY_POLICY;
  try {
    // Like the agent's own requests: a retryable failure (429, 529, …) is tried again with backoff,
    // each attempt its own request on the advisor thread; the primary sees an error only at the end.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await runModelStep({
          sessionId,
          log: scoped,
          position: stepPosition(await scoped.read(sessionId)),
          provider: deps.router.providerFor(advisorModel),
          buildRequest: async () => ({
            model: advisorModel,
            system: [{ type: 'text', text: ADVISOR_SYSTEM }],
            messages: [
              {
                role: 'user',
                content: [
                  {
                    type: 'text',
                    text: `<conversation>\n${transcript(all)}\n</conversation>\n\nThe agent asks: ${question}`,
                  },
                ],
              },
            ],
            tools: [],
            max_tokens: DEFAULT_MAX_TOKENS,
          }),
          catalog: { definitions: [], lookup: () => undefined },
          signal: call.signal,
        });
        break;
      } catch (error) {
        const retryable = error instanceof ModelProviderError && error.retryable;
        if (call.signal.aborted || !retryable || attempt >= retry.maxAttempts) throw error;
        await backoff(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)), call.signal);
        if (call.signal.aborted) throw error;
      }
    }
    let advice = '';
    for (const { event } of await scoped.read(sessionId))
      if (event.type === 'agent.message') advice = textOf(event.content);
    outcome = { content: [{ type: 'text', text: advice || '(the advisor gave no advice)' }], isError: false };
  } catch (error) {
    if (call.signal.aborted) {
      // An interrupt ends the consultation too: its thread does not stay running.
      await closeConsultation(deps, sessionId, thread);
      throw error;
    }
    stopReason = 'retries_exhausted';
    outcome = failure(`advisor: the consultation failed (${(error as Error).message}); carry on without it`);
  }
  await scoped.append(
    sessionId,
    [{ type: 'session.status_idle', stop_reason: { type: stopReason }, stop_details: null }],
    answerKey(toolUseId, 'advisor.idle'),
  );
  const now = deps.clock.now();
  const events = (await deps.log.read(sessionId)).map((entry) => entry.event);
  const usage = threadUsageSnapshot(events, thread.id, now, deps.prices, advisorModel);
  await deps.directory.saveUsage(thread.id, { ...usage }, { active_seconds: usage.active_seconds });
  return outcome;
}

/**
 * Ends a consultation cut short (an interrupt, or a crash found on wake): a
 * request left open gets its error end, and the thread goes idle, once.
 */
export async function closeConsultation(
  deps: Pick<AdvisorDependencies, 'log' | 'directory'>,
  sessionId: string,
  thread: ChildThread,
): Promise<void> {
  const scoped = threadLog(deps.log, thread, deps.directory);
  const state = foldSessionState(await scoped.read(sessionId));
  if (state.status !== 'running') return;
  const open = state.danglingModelRequestId;
  if (open) {
    await scoped.append(
      sessionId,
      [
        {
          type: 'span.model_request_end',
          model_request_start_id: open,
          is_error: true,
          model_usage: {
            input_tokens: 0,
            output_tokens: 0,
            cache_read_input_tokens: 0,
            cache_creation_input_tokens: 0,
          },
        },
      ],
      modelRequestEndKey(open),
    );
  }
  await scoped.append(
    sessionId,
    [{ type: 'session.status_idle', stop_reason: { type: 'end_turn' }, stop_details: null }],
    answerKey(thread.id, 'advisor.closed'),
  );
}

function backoff(ms: number, signal: AbortSignal): Promise<void> {
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

function failure(text: string): ToolOutcome {
  return { content: [{ type: 'text', text }], isError: true };
}

/** The primary thread's conversation as plain text, most recent last, cut from the front to fit. */
function transcript(events: readonly SessionEvent[]): string {
  const lines: string[] = [];
  const clip = (text: string) => (text.length > ITEM_CHARS ? `${text.slice(0, ITEM_CHARS)}…` : text);
  for (const event of events) {
    if (event.session_thread_id) continue;
    if (event.type === 'user.message') lines.push(`User: ${clip(textOf(event.content))}`);
    else if (event.type === 'agent.message') lines.push(`Agent: ${clip(textOf(event.content))}`);
    else if (event.type === 'agent.tool_use')
      lines.push(`Agent called ${event.name}: ${clip(JSON.stringify(event.input))}`);
    else if (event.type === 'agent.tool_result')
      lines.push(`Result${event.is_error ? ' (error)' : ''}: ${clip(textOf(event.content ?? []))}`);
    else if (event.type === 'agent.thread_message_received')
      lines.push(`Message from ${event.from_agent_name ?? 'a thread'}: ${clip(textOf(event.content))}`);
  }
  let text = lines.join('\n');
  if (text.length > TRANSCRIPT_CHARS) text = `…${text.slice(-TRANSCRIPT_CHARS)}`;
  return text;
}
