// One timeline entry per session event. Text only: API data never becomes markup.
import { badge, h } from './dom.js';
import { contentText, formatCost, formatTime, formatUsage, prettyJson } from './format.js';

const pre = (text, kind = '') => h('pre', { class: `block ${kind}` }, text);

function entry(event, kind, title, ...body) {
  return h(
    'li',
    { class: `event event-${kind}`, 'data-event-id': event.id ?? '', 'data-type': event.type },
    h(
      'div',
      { class: 'event-head' },
      h('span', { class: 'event-title' }, title),
      event.session_thread_id ? badge(`thread ${event.session_thread_id}`, 'thread') : null,
      h('time', { datetime: event.processed_at ?? '' }, formatTime(event.processed_at)),
    ),
    ...body,
  );
}

function toolUse(event) {
  const server = event.mcp_server_name ? ` (${event.mcp_server_name})` : '';
  const permission = event.evaluated_permission
    ? badge(event.evaluated_permission, `permission-${event.evaluated_permission}`)
    : null;
  const custom = event.type === 'agent.custom_tool_use' ? badge('custom', 'custom') : null;
  return entry(
    event,
    'tool-use',
    ['Tool use: ', h('strong', null, `${event.name}${server}`), ' ', permission, custom],
    h('div', { class: 'muted small' }, event.id),
    pre(prettyJson(event.input ?? {}), 'input'),
  );
}

function toolResult(event, namesById) {
  const useId = event.tool_use_id ?? event.mcp_tool_use_id ?? event.custom_tool_use_id ?? '';
  const name = namesById.get(useId);
  return entry(
    event,
    event.is_error ? 'tool-error' : 'tool-result',
    [
      event.is_error ? 'Tool error' : 'Tool result',
      name ? `: ${name}` : '',
      ' ',
      h('span', { class: 'muted small' }, useId),
    ],
    pre(contentText(event.content) || '(no content)'),
  );
}

function stopReason(reason) {
  if (!reason) return '';
  if (reason.type === 'requires_action') return `requires action (${(reason.event_ids ?? []).length})`;
  return reason.type.replaceAll('_', ' ');
}

function usageLine(usage) {
  return [formatUsage(usage), formatCost(usage?.list_cost)].filter(Boolean).join(' · ') || 'no usage yet';
}

/**
 * @param {any} event a stored session event
 * @param {Map<string, string>} namesById tool names by tool-use event id, for results
 */
export function renderEvent(event, namesById = new Map()) {
  switch (event.type) {
    case 'user.message':
      return entry(event, 'user', 'You', pre(contentText(event.content), 'message'));
    case 'agent.message':
      return entry(event, 'agent', 'Agent', pre(contentText(event.content), 'message'));
    case 'agent.thinking':
      return entry(event, 'thinking', 'Thinking…');
    case 'agent.tool_use':
    case 'agent.mcp_tool_use':
    case 'agent.custom_tool_use':
      return toolUse(event);
    case 'agent.tool_result':
    case 'agent.mcp_tool_result':
    case 'user.custom_tool_result':
    case 'user.tool_result':
      return toolResult(event, namesById);
    case 'user.tool_confirmation': {
      const name = namesById.get(event.tool_use_id);
      const title = `${event.result === 'allow' ? 'Allowed' : 'Denied'} ${name ?? 'tool use'}`;
      return entry(
        event,
        `confirmation-${event.result}`,
        title,
        event.deny_message ? pre(event.deny_message) : null,
      );
    }
    case 'user.interrupt':
      return entry(event, 'interrupt', 'Interrupted');
    case 'session.status_running':
    case 'session.status_rescheduled':
    case 'session.status_terminated':
    case 'session.thread_status_running':
    case 'session.thread_status_rescheduled':
    case 'session.thread_status_terminated':
      return entry(event, 'status', [
        badge(event.type.split('_').pop()),
        event.agent_name ? ` ${event.agent_name}` : '',
      ]);
    case 'session.status_idle':
    case 'session.thread_status_idle':
      return entry(event, 'status', [
        badge('idle'),
        event.agent_name ? ` ${event.agent_name}` : '',
        ' ',
        stopReason(event.stop_reason),
      ]);
    case 'session.error': {
      const error = event.error ?? {};
      const retry = error.retry_status?.type ? ` (${error.retry_status.type})` : '';
      return entry(
        event,
        'error',
        `Error: ${error.type ?? 'unknown'}${retry}`,
        pre(error.message ?? prettyJson(error)),
      );
    }
    case 'session.usage':
      return entry(event, 'usage', `Usage: ${usageLine(event.usage ?? event)}`);
    case 'span.model_request_end':
      return entry(
        event,
        'span',
        `Model request${event.is_error ? ' failed' : ''}: ${usageLine(event.model_usage)}`,
      );
    case 'span.model_request_start':
      return entry(event, 'span', 'Model request');
    case 'session.thread_created':
      return entry(
        event,
        'thread',
        `Thread started: ${event.agent_name ?? ''} ${event.session_thread_id ?? ''}`,
      );
    case 'agent.thread_message_sent':
      return entry(
        event,
        'thread',
        `To ${event.to_agent_name ?? event.to_session_thread_id}`,
        pre(contentText(event.content)),
      );
    case 'agent.thread_message_received':
      return entry(
        event,
        'thread',
        `From ${event.from_agent_name ?? event.from_session_thread_id}`,
        pre(contentText(event.content)),
      );
    case 'agent.thread_context_compacted':
      return entry(event, 'span', 'Context compacted');
    case 'session.deleted':
      return entry(event, 'error', 'Session deleted');
    default:
      return entry(
        event,
        'other',
        event.type ?? 'event',
        h('details', null, h('summary', null, 'data'), pre(prettyJson(event))),
      );
  }
}
