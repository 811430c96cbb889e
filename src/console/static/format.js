// Pure formatting and reading of wire objects for display. No DOM use: Node runs it too.

/** `2026-05-01 14:03:09` in the viewer's time zone; the raw value when it is not a date. */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** `12,345`; an empty string for a missing count. */
export function formatCount(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en-US') : '';
}

/** A `BetaMonetaryAmount` (`{amount: "0.0123", currency: "USD"}`) as `$0.0123`. */
export function formatCost(money) {
  if (!money || typeof money.amount !== 'string') return '';
  const symbol = money.currency === 'USD' ? '$' : '';
  return symbol ? `${symbol}${money.amount}` : `${money.amount} ${money.currency ?? ''}`.trim();
}

/** `1.2 kB`-style sizes for files. */
export function formatBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `in 1,200 / out 340 tokens` from a session, thread or span usage object. */
export function formatUsage(usage) {
  if (!usage) return '';
  // Spans report `cache_creation_input_tokens`; sessions and threads a `cache_creation` breakdown.
  const cacheCreation =
    usage.cache_creation_input_tokens ??
    (usage.cache_creation?.ephemeral_5m_input_tokens ?? 0) +
      (usage.cache_creation?.ephemeral_1h_input_tokens ?? 0);
  const input = (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) + cacheCreation;
  const output = usage.output_tokens ?? 0;
  if (!input && !output) return '';
  return `in ${formatCount(input)} / out ${formatCount(output)} tokens`;
}

/** An agent's model: a string in requests, `{id, …}` on the wire. */
export function modelName(model) {
  if (!model) return '';
  return typeof model === 'string' ? model : String(model.id ?? '');
}

/**
 * The readable text of content blocks: text as is, other blocks as a short tag.
 * @param {Array<any> | undefined} content
 */
export function contentText(content) {
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => {
      if (block?.type === 'text') return block.text ?? '';
      if (block?.type === 'search_result') return `[search result: ${block.title ?? block.source ?? ''}]`;
      if (block?.type === 'image') return '[image]';
      if (block?.type === 'document') return `[document${block.title ? `: ${block.title}` : ''}]`;
      if (block?.type === 'redacted') return '[redacted]';
      return `[${block?.type ?? 'block'}]`;
    })
    .join('\n');
}

/** Pretty JSON for tool inputs and unknown events; never throws. */
export function prettyJson(value) {
  try {
    return JSON.stringify(value, null, 2) ?? '';
  } catch {
    return String(value);
  }
}

const TOOL_USES = new Set(['agent.tool_use', 'agent.mcp_tool_use']);
const IDLE = new Set(['session.status_idle', 'session.thread_status_idle']);

/**
 * The `always_ask` tool uses still waiting for a `user.tool_confirmation`: those named by the
 * latest idle with `stop_reason.type === 'requires_action'` (per thread), not answered since.
 * Custom tool uses in the same list need a `user.custom_tool_result` instead, so they are left out.
 * @param {Array<any>} events the session's events, oldest first
 */
export function pendingConfirmations(events) {
  const uses = new Map();
  const waiting = new Map();
  const answered = new Set();
  for (const event of events) {
    if (TOOL_USES.has(event.type)) uses.set(event.id, event);
    else if (event.type === 'user.tool_confirmation') answered.add(event.tool_use_id);
    else if (event.type === 'agent.tool_result' || event.type === 'agent.mcp_tool_result')
      answered.add(event.tool_use_id ?? event.mcp_tool_use_id);
    else if (IDLE.has(event.type)) {
      const thread = event.session_thread_id ?? '';
      const ids = event.stop_reason?.type === 'requires_action' ? (event.stop_reason.event_ids ?? []) : [];
      waiting.set(thread, ids);
    } else if (event.type === 'session.status_running' || event.type === 'session.thread_status_running') {
      waiting.set(event.session_thread_id ?? '', []);
    }
  }
  const named = new Set([...waiting.values()].flat());
  // In log order, each once.
  return [...uses.values()].filter((use) => named.has(use.id) && !answered.has(use.id));
}
