// A session's steps as a waterfall: each model request (span.model_request_start → _end), tool
// call (tool use → its result) and outcome evaluation as a bar on one time axis, with its
// duration. Built from the events the page already reads; a step still open runs to the latest
// event. stepSpans is pure (Node tests it); the element is redrawn at most once per frame.
import { h, replace } from './dom.js';
import { formatDuration, formatUsage } from './format.js';

const TOOL_USES = new Set(['agent.tool_use', 'agent.mcp_tool_use', 'agent.custom_tool_use']);
const TOOL_RESULTS = new Set(['agent.tool_result', 'agent.mcp_tool_result', 'user.custom_tool_result']);
/** Past this many steps the waterfall starts folded. */
const OPEN_UP_TO = 60;

/**
 * @typedef {{ id: string, kind: 'model' | 'tool' | 'outcome', label: string, thread?: string,
 *   start: string, end?: string, failed: boolean, detail: string }} Step
 */

/**
 * The steps in the order they started.
 * @param {Array<any>} events oldest first
 * @returns {Step[]}
 */
export function stepSpans(events) {
  /** @type {Map<string, Step>} */
  const steps = new Map();
  const open = (event, kind, label) =>
    steps.set(event.id, {
      id: event.id,
      kind,
      label,
      thread: event.session_thread_id ?? undefined,
      start: event.processed_at,
      failed: false,
      detail: '',
    });
  const close = (startId, event, failed, detail = '') => {
    const step = steps.get(startId ?? '');
    if (!step || step.end) return;
    step.end = event.processed_at;
    step.failed = failed;
    step.detail = detail;
  };
  for (const event of events) {
    if (!event?.id || !event.processed_at) continue;
    if (event.type === 'span.model_request_start') open(event, 'model', 'model request');
    else if (event.type === 'span.model_request_end')
      close(event.model_request_start_id, event, Boolean(event.is_error), formatUsage(event.model_usage));
    else if (TOOL_USES.has(event.type))
      open(
        event,
        'tool',
        `${event.name ?? 'tool'}${event.mcp_server_name ? ` (${event.mcp_server_name})` : ''}`,
      );
    else if (TOOL_RESULTS.has(event.type))
      close(
        event.tool_use_id ?? event.mcp_tool_use_id ?? event.custom_tool_use_id,
        event,
        Boolean(event.is_error),
      );
    else if (event.type === 'span.outcome_evaluation_start')
      open(event, 'outcome', `grading, iteration ${(event.iteration ?? 0) + 1}`);
    else if (event.type === 'span.outcome_evaluation_end')
      close(event.outcome_evaluation_start_id, event, event.result === 'failed', event.result ?? '');
  }
  return [...steps.values()];
}

const time = (iso) => Date.parse(iso ?? '');
/** `1.2 s` for a number of milliseconds. */
const durationOf = (ms) => formatDuration(new Date(0).toISOString(), new Date(ms).toISOString()) || '0 ms';

/**
 * @param {{ threadNames?: Map<string, string>, viewThreadId?: string }} context names threads
 *   other than the viewed one
 */
export function createWaterfall(context) {
  const body = h('div');
  const summary = h('summary', null, 'Steps');
  const element = h('details', { class: 'card waterfall', hidden: true }, summary, body);
  const events = [];
  let scheduled = false;
  let opened = false;

  const draw = () => {
    const steps = stepSpans(events);
    element.hidden = steps.length === 0;
    if (steps.length === 0) return;
    // Folds, not spreads: a long session's thousands of events would overflow an argument list.
    const first = steps.reduce((min, step) => Math.min(min, time(step.start)), Number.POSITIVE_INFINITY);
    const latest = events.reduce((max, event) => {
      const at = time(event.processed_at);
      return Number.isFinite(at) ? Math.max(max, at) : max;
    }, first);
    const span = Math.max(1, latest - first);
    const total = steps
      .filter((step) => step.end)
      .reduce((sum, step) => sum + (time(step.end) - time(step.start)), 0);
    replace(summary, `Steps (${steps.length}, ${durationOf(total)} in all)`);
    if (!opened) {
      element.open = steps.length <= OPEN_UP_TO;
      opened = true;
    }
    replace(
      body,
      h(
        'ol',
        { class: 'waterfall-rows' },
        steps.map((step) => {
          const start = time(step.start);
          const end = step.end ? time(step.end) : latest;
          const bar = h('span', {
            class: `waterfall-bar bar-${step.kind}${step.failed ? ' bar-failed' : ''}${step.end ? '' : ' bar-open'}`,
          });
          // Positions are set through the CSSOM: the console's CSP allows no inline style attribute.
          bar.style.left = `${((start - first) / span) * 100}%`;
          bar.style.width = `${Math.max(0.4, ((end - start) / span) * 100)}%`;
          const other = step.thread && step.thread !== context.viewThreadId;
          return h(
            'li',
            { class: `waterfall-row step-${step.kind}`, 'data-step-id': step.id },
            h(
              'span',
              { class: 'waterfall-label' },
              step.label,
              other
                ? h(
                    'span',
                    { class: 'muted small' },
                    ` · ${context.threadNames?.get(step.thread) ?? step.thread}`,
                  )
                : null,
            ),
            h('span', { class: 'waterfall-track' }, bar),
            h(
              'span',
              { class: 'waterfall-time' },
              step.end ? formatDuration(step.start, step.end) : 'running',
              step.detail ? h('span', { class: 'muted small' }, ` · ${step.detail}`) : null,
            ),
          );
        }),
      ),
    );
  };

  return {
    element,
    /** Takes every event the timeline shows; `bulk` (the history) waits for `draw()`. */
    add(event, bulk = false) {
      events.push(event);
      if (bulk || scheduled) return;
      scheduled = true;
      const frame = globalThis.requestAnimationFrame ?? ((callback) => setTimeout(callback, 16));
      frame(() => {
        scheduled = false;
        draw();
      });
    },
    draw,
  };
}
