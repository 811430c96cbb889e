/** One measured figure; `target` and `pass` only when the figure has a goal. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
}

/** `value ≤ limit` as a result with a target. */
export function atMost(name: string, value: number, unit: string, limit: number): BenchResult {
  return { name, value, unit, target: `≤ ${limit} ${unit}`, pass: value <= limit };
}

export function info(name: string, value: number, unit: string): BenchResult {
  return { name, value, unit };
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1000) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Prints one aligned table: name, value, unit, target, pass/fail. */
export function printTable(results: readonly BenchResult[]): string {
  const rows = [
    ['benchmark', 'value', 'unit', 'target', 'result'],
    ...results.map((result) => [
      result.name,
      format(result.value),
      result.unit,
      result.target ?? '',
      result.pass === undefined ? '' : result.pass ? 'pass' : 'FAIL',
    ]),
  ];
  const widths =
    rows[0]?.map((_cell, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => (column === 1 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join(' | ')} |`;
  const separator = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  const [header, ...body] = rows;
  return [line(header ?? []), separator, ...body.map(line)].join('\n');
}
