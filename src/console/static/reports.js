// The usage and cost report (`GET /v1/usage_report`, docs/metering.md): a window and a grouping,
// then one row per group with tokens, runtime and exact dollar costs.
import { h, notice, replace } from './dom.js';
import { formatCount, formatUsd } from './format.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const isoDay = (date) => date.toISOString().slice(0, 10);

const METRICS = [
  ['Requests', (r) => formatCount(r.requests)],
  ['Input', (r) => formatCount(r.input_tokens)],
  ['Output', (r) => formatCount(r.output_tokens)],
  ['Cache read', (r) => formatCount(r.cache_read_input_tokens)],
  ['Active s', (r) => formatCount(r.active_seconds)],
  ['Tokens', (r) => formatUsd(r.token_cost_usd)],
  ['Runtime', (r) => formatUsd(r.runtime_cost_usd)],
  ['Tools', (r) => formatUsd(r.server_tool_cost_usd)],
  ['Total', (r) => formatUsd(r.total_cost_usd)],
];
const DIMENSIONS = {
  day: ['Day', (r) => r.day ?? ''],
  agent: ['Agent', (r) => r.agent_name ?? r.agent_id ?? ''],
  model: ['Model', (r) => r.model ?? ''],
};

/** @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean }} context */
export async function renderUsage(context) {
  const from = h('input', {
    type: 'date',
    value: isoDay(new Date(Date.now() - 30 * DAY_MS)),
    'aria-label': 'From',
  });
  const until = h('input', {
    type: 'date',
    value: isoDay(new Date(Date.now() + DAY_MS)),
    'aria-label': 'Until',
  });
  const group = h(
    'select',
    { 'aria-label': 'Group by' },
    Object.keys(DIMENSIONS).map((name) => h('option', { value: name }, `by ${name}`)),
  );
  const output = h('div');
  const load = async () => {
    replace(output, notice('Loading…', 'info'));
    try {
      const report = await context.client.usageReport({
        startingAt: `${from.value}T00:00:00Z`,
        endingAt: `${until.value}T00:00:00Z`,
        groupBy: [group.value],
      });
      const columns = [DIMENSIONS[group.value] ?? DIMENSIONS.day, ...METRICS];
      const rows = report.data ?? [];
      replace(
        output,
        rows.length === 0
          ? h('p', { class: 'muted' }, 'No usage in this window.')
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'usage-report' },
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    columns.map(([label]) => h('th', null, label)),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  rows.map((row) =>
                    h(
                      'tr',
                      null,
                      columns.map(([, cell]) => h('td', null, cell(row))),
                    ),
                  ),
                  report.total
                    ? h(
                        'tr',
                        { class: 'total' },
                        h('th', null, 'Total'),
                        METRICS.map(([, cell]) => h('th', null, cell(report.total))),
                      )
                    : null,
                ),
              ),
            ),
      );
    } catch (error) {
      if (!context.onAuthError(error)) replace(output, notice(String(error?.message ?? error)));
    }
  };
  const form = h(
    'form',
    {
      class: 'card report-form',
      onsubmit: (event) => {
        event.preventDefault();
        void load();
      },
    },
    h('label', { class: 'field' }, h('span', null, 'From'), from),
    h('label', { class: 'field' }, h('span', null, 'Until (exclusive)'), until),
    h('label', { class: 'field' }, h('span', null, 'Group'), group),
    h('button', { type: 'submit' }, 'Show'),
  );
  replace(context.main, h('div', { class: 'page-header' }, h('h1', null, 'Usage and cost')), form, output);
  await load();
}
