// One timeline entry per session event. API data never becomes markup: text nodes, and agent
// text through the DOM-building Markdown renderer (markdown.js).
import { badge, h } from './dom.js';
import {
  contentText,
  formatCost,
  formatDuration,
  formatTime,
  formatUsage,
  hasUsage,
  prettyJson,
} from './format.js';
import { renderMarkdown } from './markdown.js';
import { outcomeCard } from './outcome-cards.js';
import { workflowCard } from './workflow-cards.js';

const pre = (text, kind = '') => h('pre', { class: `block ${kind}` }, text);

/** Past this, tool output starts folded: its first line and a count, opened on a click. */
const LONG_LINES = 12;
const LONG_CHARS = 1500;

/** A `<pre>`, inside a closed `<details>` when the text is long. */
function collapsible(text, kind = '') {
  const lines = text.split('\n');
  if (lines.length <= LONG_LINES && text.length <= LONG_CHARS) return pre(text, kind);
  const first = (lines[0] ?? '').slice(0, 120);
  return h(
    'details',
    { class: 'long-output' },
    h(
      'summary',
      null,
      first,
      h('span', { class: 'muted' }, ` … ${lines.length} lines, ${text.length} characters`),
    ),
    pre(text, kind),
  );
}

/**
 * What rendering needs besides the event.
 * @typedef {object} RenderContext
 * @property {Map<string, string>} [namesById] tool names by tool-use event id, for results
 * @property {Map<string, string>} [threadNames] agent names by session thread id
 * @property {string} [viewThreadId] the thread this timeline shows: its events need no pill
 * @property {Map<string, string>} [startedAt] `processed_at` of model request starts and tool
 *   uses by event id, to show how long each step took
 */

/** @type {RenderContext} */
let current = {};

function entry(event, kind, title, ...body) {
  const thread = event.session_thread_id;
  const pill =
    thread && thread !== current.viewThreadId
      ? badge(current.threadNames?.get(thread) ?? `thread ${thread}`, 'thread')
      : null;
  const item = h(
    'li',
    { class: `event event-${kind}`, 'data-event-id': event.id ?? '', 'data-type': event.type },
    h(
      'div',
      { class: 'event-head' },
      h('span', { class: 'event-title' }, title),
      pill,
      h('time', { datetime: event.processed_at ?? '' }, formatTime(event.processed_at)),
      h(
        'button',
        {
          type: 'button',
          class: 'raw-toggle',
          title: 'Show this event as JSON',
          'aria-expanded': 'false',
          onclick: (click) => toggleRaw(item, event, click.currentTarget),
        },
        '{ }',
      ),
    ),
    ...body,
  );
  return item;
}

/** Shows or hides the event's wire JSON under its entry. */
function toggleRaw(item, event, button) {
  const open = item.querySelector(':scope > .raw-json');
  if (open) {
    open.remove();
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  item.appendChild(pre(prettyJson(event), 'raw-json input'));
  button.setAttribute('aria-expanded', 'true');
}

/** Agent text as Markdown; other blocks keep their short tags. */
function agentText(content) {
  return renderMarkdown(contentText(content));
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
    collapsible(prettyJson(event.input ?? {}), 'input'),
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
      took(useId, event),
      ' ',
      h('span', { class: 'muted small' }, useId),
    ],
    collapsible(contentText(event.content) || '(no content)'),
  );
}

function stopReason(reason) {
  if (!reason) return '';
  if (reason.type === 'requires_action') return `requires action (${(reason.event_ids ?? []).length})`;
  return reason.type.replaceAll('_', ' ');
}

function usageLine(usage) {
  const cost = formatCost(usage?.list_cost, { used: hasUsage(usage) });
  return [formatUsage(usage), cost].filter(Boolean).join(' · ') || 'no usage yet';
}

/**
 * @param {any} event a stored session event
 * @param {RenderContext | Map<string, string>} [context] or just the tool names by tool-use id
 */
export function renderEvent(event, context = {}) {
  current = context instanceof Map ? { namesById: context } : context;
  try {
    return renderKnown(event, current.namesById ?? new Map());
  } finally {
    current = {};
  }
}

/** ` · 1.2 s` since the step's start event, when the page has read it. */
const took = (startId, event) => {
  const duration = formatDuration(current.startedAt?.get(startId ?? ''), event.processed_at);
  return duration ? ` · ${duration}` : '';
};

/** The agent's name for a thread, from the event or the session's thread list. */
const agentOf = (name, threadId) => name ?? current.threadNames?.get(threadId) ?? threadId;

function renderKnown(event, namesById) {
  const outcome = outcomeCard(event);
  if (outcome) return entry(event, outcome.kind, outcome.title, ...outcome.body);
  const workflow = workflowCard(event);
  if (workflow) return entry(event, workflow.kind, workflow.title, ...workflow.body);
  switch (event.type) {
    case 'user.message':
      return entry(event, 'user', 'You', pre(contentText(event.content), 'message'));
    case 'agent.message':
      return entry(event, 'agent', 'Agent', agentText(event.content));
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
        `Model request${event.is_error ? ' failed' : ''}: ${usageLine(event.model_usage)}${took(event.model_request_start_id, event)}`,
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
        `To ${agentOf(event.to_agent_name, event.to_session_thread_id)}`,
        pre(contentText(event.content)),
      );
    case 'agent.thread_message_received':
      return entry(
        event,
        'thread',
        `From ${agentOf(event.from_agent_name, event.from_session_thread_id)}`,
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
