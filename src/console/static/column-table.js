// A table drawn from columns: each column is [label, cell(row)], so a page lists its rows by
// saying only what each column shows.
import { h } from './dom.js';

/**
 * @param {Array<[string, (row: any) => unknown]>} columns
 * @param {any[]} rows
 * @param {{ className?: string, rowAttributes?: (row: any) => Record<string, string> | null }} [options]
 */
export function columnTable(columns, rows, { className = 'list', rowAttributes = () => null } = {}) {
  return h(
    'table',
    { class: className },
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
          rowAttributes(row),
          columns.map(([, cell]) => h('td', null, cell(row))),
        ),
      ),
    ),
  );
}
