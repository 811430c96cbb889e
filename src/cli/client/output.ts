/** How client commands print: JSON for scripts, aligned columns for people. */
export interface Column {
  header: string;
  value: (row: Record<string, unknown>) => unknown;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A cell's text: ids of nested objects (an agent's model, a session's agent), else JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const id = (value as { id?: unknown }).id;
  if (typeof id === 'string') return id;
  return JSON.stringify(value);
}

export function printTable(rows: Array<Record<string, unknown>>, columns: Column[]): void {
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const format = (line: string[]) =>
    line
      .map((cell, index) => (index === line.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ');
  process.stdout.write(`${format(columns.map((column) => column.header.toUpperCase()))}\n`);
  for (const line of cells) process.stdout.write(`${format(line)}\n`);
  if (rows.length === 0) process.stdout.write('(none)\n');
}

/** One resource as `key: value` lines (nested values as compact JSON). */
export function printRecord(record: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(record).map((key) => key.length));
  for (const [key, value] of Object.entries(record))
    process.stdout.write(
      `${key.padEnd(width)}  ${typeof value === 'object' && value !== null ? JSON.stringify(value) : cellText(value)}\n`,
    );
}
