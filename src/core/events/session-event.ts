import type { ContentBlock, TextBlock, ToolResultBlock } from './content.js';

/**
 * The one event vocabulary: a discriminated union on `type` whose names and
 * fields match the wire exactly (BetaManagedAgentsSessionEvent in the SDK).
 * Every stored event carries `id` (sevt_…) and `processed_at`.
 */
export interface EventBase {
  id: string;
  processed_at: string;
  /** Set on events that belong to (or are cross-posted from) a child thread. */
  session_thread_id?: string | null;
}

export type PermissionVerdict = 'allow' | 'ask' | 'deny';
export type ToolEvaluation =
  | { type: 'always_allow' }
  | { type: 'always_ask' }
  | {
      type: 'auto';
      evaluated_permission:
        | { type: 'allow' }
        | { type: 'ask'; reason_code: string }
        | { type: 'deny'; reason_code: string };
    };

export type StopReason =
  | { type: 'end_turn' }
  | { type: 'requires_action'; event_ids: string[] }
  | { type: 'retries_exhausted' }
  | { type: 'budget_reached' }
  | { type: 'refusal' };

export type RetryStatus = { type: 'retrying' } | { type: 'exhausted' } | { type: 'terminal' };

export interface SessionErrorObject {
  type: string;
  message: string;
  retry_status: RetryStatus;
  [extra: string]: unknown;
}

export interface ModelUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  /** Paddock extra: the TTL split of cache_creation_input_tokens, when the provider reported it. */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  speed?: 'standard' | 'fast' | null;
}

/** Why a workflow run did not finish, or was not created (BetaManagedAgentsWorkflowRunErrorObject). */
export interface WorkflowRunError {
  type:
    | 'timeout_error'
    | 'program_error'
    | 'unknown_error'
    | 'thread_limit_error'
    | 'max_workflow_runs_error';
  message: string;
}

/** How a workflow run ended (BetaManagedAgentsWorkflowRunResult). */
export type WorkflowRunResult =
  | { type: 'completed' }
  | { type: 'stopped' }
  | { type: 'error'; error: WorkflowRunError };

export type SessionEvent = EventBase &
  (
    | { type: 'user.message'; content: ContentBlock[] }
    | { type: 'user.interrupt' }
    | {
        type: 'user.tool_confirmation';
        tool_use_id: string;
        result: 'allow' | 'deny';
        deny_message?: string | null;
      }
    | {
        type: 'user.custom_tool_result';
        custom_tool_use_id: string;
        content?: ToolResultBlock[];
        is_error?: boolean | null;
      }
    | {
        type: 'user.tool_result';
        tool_use_id: string;
        content?: ToolResultBlock[];
        is_error?: boolean | null;
      }
    | {
        type: 'user.define_outcome';
        description: string;
        rubric: unknown;
        max_iterations: number;
        outcome_id: string;
      }
    | { type: 'system.message'; content: ContentBlock[] }
    | { type: 'agent.message'; content: ContentBlock[] }
    | { type: 'agent.thinking' }
    | {
        type: 'agent.tool_use';
        name: string;
        input: Record<string, unknown>;
        evaluated_permission?: PermissionVerdict;
        evaluation?: ToolEvaluation;
      }
    | {
        type: 'agent.tool_result';
        tool_use_id: string;
        content?: ToolResultBlock[];
        is_error?: boolean | null;
      }
    | {
        type: 'agent.mcp_tool_use';
        name: string;
        mcp_server_name: string;
        input: Record<string, unknown>;
        evaluated_permission?: PermissionVerdict;
        evaluation?: ToolEvaluation;
      }
    | {
        type: 'agent.mcp_tool_result';
        mcp_tool_use_id: string;
        content?: ToolResultBlock[];
        is_error?: boolean | null;
      }
    | { type: 'agent.custom_tool_use'; name: string; input: Record<string, unknown> }
    | {
        type: 'agent.thread_message_sent';
        to_session_thread_id: string;
        to_agent_name?: string | null;
        content: ContentBlock[];
      }
    | {
        type: 'agent.thread_message_received';
        from_session_thread_id: string;
        from_agent_name?: string | null;
        content: ContentBlock[];
      }
    | {
        type: 'agent.thread_context_compacted';
        /**
         * Paddock extra: the seq of the last event of the thread's log the summary covers. Input
         * that landed after it, while the summary was being written, is not in the summary: the
         * request builder keeps it after the summary (build-model-request.ts).
         */
        summarized_through_seq?: number;
      }
    | { type: 'session.status_running' }
    | { type: 'session.status_idle'; stop_reason: StopReason; stop_details: unknown | null }
    | { type: 'session.status_rescheduled' }
    | { type: 'session.status_terminated' }
    | { type: 'session.error'; error: SessionErrorObject }
    | { type: 'session.updated'; [field: string]: unknown }
    | { type: 'session.usage'; usage: Record<string, unknown>; budget?: unknown }
    | { type: 'session.deleted' }
    | {
        type: 'session.thread_created';
        session_thread_id: string;
        agent_name: string;
        workflow_run_id: string | null;
      }
    | { type: 'session.thread_status_running'; session_thread_id: string; agent_name: string }
    | {
        type: 'session.thread_status_idle';
        session_thread_id: string;
        agent_name: string;
        stop_reason: StopReason;
        stop_details: unknown | null;
      }
    | { type: 'session.thread_status_rescheduled'; session_thread_id: string; agent_name: string }
    | { type: 'session.thread_status_terminated'; session_thread_id: string; agent_name: string }
    | { type: 'span.model_request_start' }
    | { type: 'span.outcome_evaluation_start'; outcome_id: string; iteration: number }
    | { type: 'span.outcome_evaluation_ongoing'; outcome_id: string; iteration: number }
    | {
        type: 'span.outcome_evaluation_end';
        /** Empty when an interrupt ended the outcome before an evaluation started. */
        outcome_evaluation_start_id: string;
        outcome_id: string;
        iteration: number;
        result: 'satisfied' | 'needs_revision' | 'failed' | 'max_iterations_reached' | 'interrupted';
        explanation: string;
        usage: ModelUsage;
        /** Paddock extra: the grader's model, so its tokens are priced like any model request. */
        model?: string;
      }
    | {
        type: 'workflow_run.created';
        workflow_run_id: string;
        name: string;
        description: string | null;
        phases: Array<{ id: string; name: string; description: string | null }>;
      }
    | { type: 'workflow_run.status_running' | 'workflow_run.status_idle'; workflow_run_id: string }
    | { type: 'workflow_run.status_ended'; workflow_run_id: string; result: WorkflowRunResult }
    | { type: 'workflow_run.error'; workflow_run_id: string | null; error: WorkflowRunError }
    | {
        type: 'workflow_run.phase_started';
        workflow_run_id: string;
        workflow_run_phase_id: string;
      }
    | {
        type: 'workflow_run.phase_ended';
        workflow_run_id: string;
        workflow_run_phase_id: string;
        phase_started_id: string;
      }
    | {
        type: 'span.model_request_end';
        model_request_start_id: string;
        is_error: boolean | null;
        model_usage: ModelUsage;
        /** Paddock extra: the model the request went to, so usage can be priced per model. */
        model?: string;
      }
  );

export type SessionEventType = SessionEvent['type'];
export type EventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;
/** An event before the log assigns `id` and `processed_at`. */
export type DraftEvent = SessionEvent extends infer E
  ? E extends SessionEvent
    ? Omit<E, 'id' | 'processed_at'>
    : never
  : never;

/** Events the client may send (POST /events). */
export const CLIENT_EVENT_TYPES = [
  'user.message',
  'user.interrupt',
  'user.tool_confirmation',
  'user.custom_tool_result',
  'user.tool_result',
  'user.define_outcome',
  'system.message',
] as const;

/** Stream-only previews (opt-in via `event_deltas[]`); never stored, never in history. */
export type PreviewEvent =
  | {
      type: 'event_start';
      /**
       * `session_thread_id` is internal: a thread's harness tags its previews so streams
       * can scope them like committed events; the stream strips it before sending.
       */
      event: { type: 'agent.message' | 'agent.thinking'; id: string; session_thread_id?: string };
    }
  | {
      type: 'event_delta';
      event_id: string;
      delta: { type: 'content_delta'; index?: number; content: TextBlock };
    };

/** Status events and the session status each one projects onto the session record. */
export const STATUS_OF_EVENT: Partial<
  Record<SessionEventType, 'idle' | 'running' | 'rescheduling' | 'terminated'>
> = {
  'session.status_running': 'running',
  'session.status_idle': 'idle',
  'session.status_rescheduled': 'rescheduling',
  'session.status_terminated': 'terminated',
};
