import type { InsideSpawner } from './inside.js';
import { insidePath } from './paths.js';
import { runScript, type ScriptResult } from './run-script.js';
import { ToolError } from './tool-error.js';

export const MAX_FILE_BYTES = 256 * 1024;
const FILE_TIMEOUT_MS = 60_000;

// Exit codes shared by the scripts below; `describe` turns them into messages.
const NOT_FOUND = 10;
const NOT_REGULAR = 11;
const IS_DIRECTORY = 12;
const CHECK_FILE = `
f=$1
if [ -d "$f" ]; then exit ${IS_DIRECTORY}; fi
if [ ! -e "$f" ]; then exit ${NOT_FOUND}; fi
if [ ! -f "$f" ]; then exit ${NOT_REGULAR}; fi
`;
// Prints the size on the first line, then the whole file, or only lines
// start..end (sed) when a range is given and the file is over the limit.
const READ_SCRIPT = `${CHECK_FILE}
size=$(stat -L -c %s -- "$f") || exit 1
printf '%s\\n' "$size"
if [ "$size" -le "$2" ] || [ -z "$3" ]; then
  if [ "$size" -le "$2" ]; then exec cat -- "$f"; fi
  exit 0
fi
exec sed -n "$3,$4p" -- "$f"
`;
const WRITE_SCRIPT = `
f=$1
if [ -d "$f" ]; then exit ${IS_DIRECTORY}; fi
mkdir -p -- "$(dirname -- "$f")" || exit 1
cat > "$f"
`;

interface FileText {
  size: number;
  text: string;
}

/** Runs the read script; `range` streams only those lines for big files. */
async function readInside(
  inside: InsideSpawner,
  path: string,
  shown: string,
  tool: string,
  range?: [number, number],
): Promise<FileText> {
  const args = [
    path,
    String(MAX_FILE_BYTES),
    range ? String(range[0]) : '',
    range ? (range[1] > 0 ? String(range[1]) : '$') : '',
  ];
  const result = await runScript(inside, READ_SCRIPT, args, {
    tool,
    timeoutMs: FILE_TIMEOUT_MS,
    maxStdout: MAX_FILE_BYTES + 64,
  });
  if (result.code !== 0) throw new ToolError(`${tool}: ${describe(result, shown)}`);
  const newline = result.stdout.indexOf(0x0a);
  const size = Number(result.stdout.subarray(0, newline).toString('utf8'));
  if (result.truncated && range) {
    throw new ToolError(
      `${tool}: view_range [${range[0]}, ${range[1]}] of ${shown} exceeds ${MAX_FILE_BYTES}-byte limit. ` +
        'Narrow the view_range to read a smaller portion.',
    );
  }
  return { size, text: result.stdout.subarray(newline + 1).toString('utf8') };
}

function describe(result: ScriptResult, shown: string): string {
  switch (result.code) {
    case NOT_FOUND:
      return `${shown}: no such file or directory`;
    case IS_DIRECTORY:
      return `${shown}: is a directory`;
    case NOT_REGULAR:
      return `${shown} is not a regular file`;
    default:
      return `${shown}: ${result.stderr.trim().replace(/^.*?: /, '') || `exit ${result.code}`}`;
  }
}

export async function readTool(inside: InsideSpawner, input: Record<string, unknown>): Promise<string> {
  const path = insidePath(inside.workdir, input['file_path'], 'read');
  const shown = String(input['file_path']);
  const range = parseRange(input['view_range']);
  const file = await readInside(inside, path, shown, 'read', range);
  if (file.size > MAX_FILE_BYTES) {
    if (!range)
      throw new ToolError(
        `read: ${shown} is ${file.size} bytes, exceeds ${MAX_FILE_BYTES}-byte limit. ` +
          'Use the view_range parameter to read specific line ranges, e.g. view_range: [1, 500].',
      );
    // sed printed only the range; an explicit end drops the final newline like a join would.
    return range[1] > 0 ? file.text.replace(/\n$/, '') : file.text;
  }
  if (!range) return file.text;
  const lines = file.text.split('\n');
  return lines.slice(Math.max(0, range[0] - 1), range[1] > 0 ? range[1] : lines.length).join('\n');
}

function parseRange(value: unknown): [number, number] | undefined {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  if (!Array.isArray(value) || value.length !== 2 || !value.every((n) => Number.isInteger(n)))
    throw new ToolError('read: view_range must be [start_line, end_line]');
  const start = Math.max(1, value[0] as number);
  return [start, value[1] as number];
}

export async function writeTool(inside: InsideSpawner, input: Record<string, unknown>): Promise<string> {
  const path = insidePath(inside.workdir, input['file_path'], 'write');
  const shown = String(input['file_path']);
  const content = input['content'];
  if (typeof content !== 'string') throw new ToolError('write: content must be a string');
  await writeInside(inside, path, shown, content, 'write');
  return `wrote ${Buffer.byteLength(content)} bytes to ${shown}`;
}

async function writeInside(
  inside: InsideSpawner,
  path: string,
  shown: string,
  content: string,
  tool: string,
): Promise<void> {
  const result = await runScript(inside, WRITE_SCRIPT, [path], {
    tool,
    stdin: content,
    timeoutMs: FILE_TIMEOUT_MS,
  });
  if (result.code !== 0) throw new ToolError(`${tool}: ${describe(result, shown)}`);
}

export async function editTool(inside: InsideSpawner, input: Record<string, unknown>): Promise<string> {
  const path = insidePath(inside.workdir, input['file_path'], 'edit');
  const shown = String(input['file_path']);
  const { old_string: oldString, new_string: newString, replace_all: replaceAll } = input;
  if (typeof oldString !== 'string' || oldString === '') throw new ToolError('edit: old_string is required');
  if (typeof newString !== 'string') throw new ToolError('edit: new_string must be a string');
  const file = await readInside(inside, path, shown, 'edit');
  if (file.size > MAX_FILE_BYTES)
    throw new ToolError(
      `edit: ${shown} is ${file.size} bytes, exceeds ${MAX_FILE_BYTES}-byte limit. ` +
        'The edit tool loads the whole file and cannot modify a file this large.',
    );
  const parts = file.text.split(oldString);
  const count = parts.length - 1;
  if (count === 0) throw new ToolError(`edit: old_string not found in ${shown}`);
  if (count > 1 && replaceAll !== true)
    throw new ToolError(`edit: old_string appears ${count} times in ${shown} (must be unique)`);
  await writeInside(inside, path, shown, parts.join(newString), 'edit');
  return `edited ${shown} (${count} replacement(s))`;
}
