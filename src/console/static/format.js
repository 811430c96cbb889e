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

/**
 * A `BetaMonetaryAmount` as dollars: `amount` is in whole cents (the SDK's integer minor units,
 * rounded down by the server), so `{amount: "2"}` is `$0.02`. A zero amount on a session that
 * did use something is below one cent, shown as `< $0.01` rather than a misleading `$0.00`.
 * @param {{ amount: string, currency?: string } | null | undefined} money
 * @param {{ used?: boolean }} [options] whether anything was consumed (tokens or runtime)
 */
export function formatCost(money, { used = false } = {}) {
  if (!money || typeof money.amount !== 'string' || !/^-?\d+$/.test(money.amount.trim())) return '';
  const cents = BigInt(money.amount.trim());
  const currency = money.currency ?? 'USD';
  if (cents === 0n && used) return currency === 'USD' ? '< $0.01' : `< 0.01 ${currency}`;
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = (abs / 100n).toLocaleString('en-US');
  const text = `${negative ? '-' : ''}${whole}.${String(abs % 100n).padStart(2, '0')}`;
  return currency === 'USD' ? `$${text}` : `${text} ${currency}`;
}

/**
 * An exact decimal USD string from the cost reports (`"0.000123"`) as `$0.000123`: whole cents
 * get two decimals, smaller amounts keep up to six significant decimals so a sub-cent spend shows.
 * @param {string | null | undefined} usd
 */
export function formatUsd(usd) {
  if (typeof usd !== 'string' || !/^-?\d+(\.\d+)?$/.test(usd)) return usd === null ? 'unpriced' : '';
  const [whole = '0', fraction = ''] = usd.replace(/^-/, '').split('.');
  const sign = usd.startsWith('-') ? '-' : '';
  const trimmed = fraction.replace(/0+$/, '');
  let decimals = trimmed.padEnd(2, '0');
  if (decimals.length > 2) {
    // Keep the cents plus the significant sub-cent digits, at most six decimals after the first non-zero.
    const firstDigit = trimmed.search(/[1-9]/);
    decimals = trimmed.slice(0, Math.max(2, Math.min(trimmed.length, firstDigit + 4)));
  }
  return `${sign}$${Number(whole).toLocaleString('en-US')}.${decimals}`;
}

/** Whether a usage object shows any consumption (for `< $0.01`). */
export function hasUsage(usage) {
  if (!usage) return false;
  return Boolean(
    usage.input_tokens ||
      usage.output_tokens ||
      usage.cache_read_input_tokens ||
      usage.cache_creation_input_tokens ||
      usage.cache_creation?.ephemeral_5m_input_tokens ||
      usage.cache_creation?.ephemeral_1h_input_tokens ||
      usage.active_seconds,
  );
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

/**
 * Whether a session waits for the user: per thread, the latest status event is an idle with
 * `stop_reason.type === 'requires_action'` whose events are not all answered since. The session
 * itself then says only `idle`; this is what the console shows as "needs action".
 * @param {Array<any>} events oldest first (a recent window of the log is enough)
 */
export function awaitsAction(events) {
  const waiting = new Map();
  const answered = new Set();
  for (const event of events) {
    const thread = event.session_thread_id ?? '';
    if (IDLE.has(event.type)) {
      const ids = event.stop_reason?.type === 'requires_action' ? (event.stop_reason.event_ids ?? []) : [];
      waiting.set(thread, ids);
    } else if (event.type === 'session.status_running' || event.type === 'session.thread_status_running') {
      waiting.set(thread, []);
    } else if (event.type === 'user.tool_confirmation') answered.add(event.tool_use_id);
    else if (event.type === 'user.custom_tool_result') answered.add(event.custom_tool_use_id);
  }
  return [...waiting.values()].some((ids) => ids.some((id) => !answered.has(id)));
}

/** The status to show: `needs action` for an idle session that waits for the user. */
export function displayStatus(status, waitsForUser) {
  return status === 'idle' && waitsForUser ? 'needs action' : String(status ?? '');
}

/**
 * The time between two `processed_at` stamps as `850 ms`, `1.2 s` or `2 min 3 s`; empty when
 * either is missing (the start may be outside what the page has read).
 */
export function formatDuration(startIso, endIso) {
  const ms = Date.parse(endIso ?? '') - Date.parse(startIso ?? '');
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
