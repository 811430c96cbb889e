import type { SessionEvent } from './session-event.js';

/**
 * One log per session; each event belongs to the thread named by its
 * `session_thread_id` (none = the primary thread). The session-level view
 * (GET /events and /events/stream) is the primary thread plus what child
 * threads cross-post: their lifecycle and every tool call a client may have
 * to answer (spec §4.4).
 */
export const CROSS_POSTED_TYPES = [
  'session.thread_created',
  'session.thread_status_running',
  'session.thread_status_idle',
  'session.thread_status_rescheduled',
  'session.thread_status_terminated',
  'agent.tool_use',
  'agent.mcp_tool_use',
  'agent.custom_tool_use',
  'user.tool_confirmation',
  'user.custom_tool_result',
  'user.tool_result',
] as const;

const CROSS_POSTED = new Set<string>(CROSS_POSTED_TYPES);

export function inPrimaryView(event: SessionEvent): boolean {
  return !event.session_thread_id || CROSS_POSTED.has(event.type);
}
