import type { SessionEvent } from '../events/session-event.js';

export interface SessionUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  server_tool_use: { web_search_requests: number; web_fetch_requests: number };
  active_seconds: number;
}

/**
 * Usage is a fold over the log: tokens from every `span.model_request_end`,
 * runtime from running intervals (idle time is free). Overlapping threads
 * count once because only the session-level status events open and close
 * intervals.
 */
export function foldSessionUsage(events: readonly SessionEvent[], nowMs: number): SessionUsage {
  const usage: SessionUsage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
    active_seconds: 0,
  };
  let runningSince: number | undefined;
  let activeMs = 0;
  for (const event of events) {
    switch (event.type) {
      case 'span.model_request_end':
        usage.input_tokens += event.model_usage.input_tokens;
        usage.output_tokens += event.model_usage.output_tokens;
        usage.cache_read_input_tokens += event.model_usage.cache_read_input_tokens;
        usage.cache_creation.ephemeral_5m_input_tokens += event.model_usage.cache_creation_input_tokens;
        break;
      case 'agent.tool_use':
        if (event.name === 'web_search' && event.evaluated_permission !== 'deny')
          usage.server_tool_use.web_search_requests += 1;
        if (event.name === 'web_fetch' && event.evaluated_permission !== 'deny')
          usage.server_tool_use.web_fetch_requests += 1;
        break;
      case 'session.status_running':
        if (runningSince === undefined && !event.session_thread_id)
          runningSince = Date.parse(event.processed_at);
        break;
      case 'session.status_idle':
      case 'session.status_rescheduled':
      case 'session.status_terminated':
        if (runningSince !== undefined && !event.session_thread_id) {
          activeMs += Math.max(0, Date.parse(event.processed_at) - runningSince);
          runningSince = undefined;
        }
        break;
      default:
        break;
    }
  }
  if (runningSince !== undefined) activeMs += Math.max(0, nowMs - runningSince);
  usage.active_seconds = activeMs / 1000;
  return usage;
}
