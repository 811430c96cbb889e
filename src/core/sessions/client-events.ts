import type { Session } from '../domain/session.js';
import { isTerminated } from '../domain/session.js';
import type { EnvironmentDocument } from '../environments/environment.js';
import { invalidRequest } from '../errors.js';
import type { DraftEvent } from '../events/session-event.js';
import type { IdGenerator } from '../ids.js';
import { DEFAULT_MAX_ITERATIONS, TERMINAL_RESULTS } from '../outcomes/outcome-state.js';
import type { Store } from '../ports/store.js';
import type { ClientEventInput } from '../schemas/session-events.js';
import { assertSameWorkspace } from '../workspaces/same-workspace.js';
import type { EventLog } from './event-log.js';

/** A system.message belongs directly after one of these (spec §4.1). */
const SYSTEM_MESSAGE_ANCHORS = new Set(['user.message', 'user.tool_result', 'user.custom_tool_result']);

/** The stored form of a client event: the echo adds outcome ids and resolved defaults. */
export function toDraft(input: ClientEventInput, ids: IdGenerator): DraftEvent {
  switch (input.type) {
    case 'user.define_outcome':
      return {
        type: 'user.define_outcome',
        description: input.description,
        rubric: input.rubric,
        max_iterations: input.max_iterations ?? DEFAULT_MAX_ITERATIONS,
        outcome_id: ids.next('outcome'),
      };
    case 'user.interrupt':
      return input.session_thread_id
        ? { type: 'user.interrupt', session_thread_id: input.session_thread_id }
        : { type: 'user.interrupt' };
    case 'user.tool_confirmation': {
      const { deny_message, ...rest } = input;
      return deny_message === undefined || deny_message === null ? rest : { ...rest, deny_message };
    }
    default:
      return input as DraftEvent;
  }
}

/**
 * Checks a batch of client events against the session and its log: the
 * session accepts input, system.message placement, and that every tool-use
 * reference names an event of the right type in this session.
 */
export async function validateClientEvents(
  session: Session,
  events: readonly ClientEventInput[],
  deps: { store: Store; log: EventLog },
): Promise<void> {
  if (isTerminated(session)) {
    throw invalidRequest(`session ${session.id} is terminated and accepts no more events`, {
      errorCode: 'session_terminated',
    });
  }
  for (const [index, event] of events.entries()) {
    const at = `events[${index}]`;
    switch (event.type) {
      case 'system.message': {
        const previous = events[index - 1];
        if (index !== events.length - 1 || !previous || !SYSTEM_MESSAGE_ANCHORS.has(previous.type)) {
          throw invalidRequest(
            `${at}: system.message must be the last event, directly after a user.message, user.tool_result or user.custom_tool_result`,
          );
        }
        break;
      }
      case 'user.tool_confirmation':
        if (event.result !== 'deny' && event.deny_message !== undefined && event.deny_message !== null)
          throw invalidRequest(`${at}.deny_message: only allowed when result is "deny"`);
        await assertReference(deps.log, session.id, event.tool_use_id, `${at}.tool_use_id`, [
          'agent.tool_use',
          'agent.mcp_tool_use',
        ]);
        break;
      case 'user.custom_tool_result':
        await assertReference(deps.log, session.id, event.custom_tool_use_id, `${at}.custom_tool_use_id`, [
          'agent.custom_tool_use',
        ]);
        break;
      case 'user.tool_result': {
        const environment = await deps.store.resources.get<EnvironmentDocument>(
          'environment',
          session.environment_id,
        );
        if (environment?.doc.config.type !== 'self_hosted')
          throw invalidRequest(`${at}: user.tool_result is only accepted in self_hosted environments`);
        await assertReference(deps.log, session.id, event.tool_use_id, `${at}.tool_use_id`, [
          'agent.tool_use',
        ]);
        break;
      }
      case 'user.define_outcome':
        await assertOutcomeAccepted(session, events, index, deps.store);
        break;
      case 'user.interrupt':
        if (event.session_thread_id) {
          const thread = await deps.store.resources.get('thread', event.session_thread_id);
          if (thread?.parentId !== session.id)
            throw invalidRequest(
              `${at}.session_thread_id: no thread ${JSON.stringify(event.session_thread_id)} in this session`,
            );
        }
        break;
      default:
        break;
    }
  }
}

/** `initial_events` of a new session: at most one outcome, whose file rubric exists in the workspace. */
export async function validateInitialEvents(
  events: readonly ClientEventInput[],
  store: Store,
): Promise<void> {
  for (const [index, event] of events.entries()) {
    if (event.type === 'user.define_outcome')
      await assertOutcomeAccepted(undefined, events, index, store, 'initial_events');
  }
}

/** One outcome at a time (the hosted rule), and a file rubric names a file this workspace holds. */
async function assertOutcomeAccepted(
  session: Session | undefined,
  events: readonly ClientEventInput[],
  index: number,
  store: Store,
  where = 'events',
): Promise<void> {
  const at = `${where}[${index}]`;
  const active = (session?.outcome_evaluations ?? []).find((each) => !TERMINAL_RESULTS.has(each.result));
  const earlier = events.slice(0, index).some((each) => each.type === 'user.define_outcome');
  if (active || earlier) {
    throw invalidRequest(
      `${at}: an outcome is already in progress${active ? ` (${active.outcome_id})` : ''}; send the next user.define_outcome after its terminal span.outcome_evaluation_end`,
      { errorCode: 'outcome_in_progress' },
    );
  }
  const event = events[index];
  if (event?.type !== 'user.define_outcome' || event.rubric.type !== 'file') return;
  const file = await store.resources.get('file', event.rubric.file_id);
  if (!file) throw invalidRequest(`${at}.rubric.file_id: no file ${JSON.stringify(event.rubric.file_id)}`);
  assertSameWorkspace(`${at}.rubric.file_id`, file);
}

async function assertReference(
  log: EventLog,
  sessionId: string,
  eventId: string,
  where: string,
  types: readonly string[],
): Promise<void> {
  const event = await log.get(sessionId, eventId);
  if (!event || !types.includes(event.type)) {
    throw invalidRequest(
      `${where}: no ${types.join(' or ')} event ${JSON.stringify(eventId)} in this session`,
    );
  }
}

/**
 * Answers are routed by tool-use id (spec §4.4): an answer to a child
 * thread's tool call is filed in that thread, and its echo says so.
 */
export async function routeToThread(
  log: EventLog,
  sessionId: string,
  draft: DraftEvent,
): Promise<DraftEvent> {
  const referenced =
    draft.type === 'user.tool_confirmation' || draft.type === 'user.tool_result'
      ? draft.tool_use_id
      : draft.type === 'user.custom_tool_result'
        ? draft.custom_tool_use_id
        : undefined;
  if (referenced === undefined) return draft;
  const threadId = (await log.get(sessionId, referenced))?.threadId;
  return threadId ? { ...draft, session_thread_id: threadId } : draft;
}
