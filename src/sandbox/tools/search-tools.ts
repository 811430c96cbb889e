import type { InsideSpawner } from './inside.js';
import { insidePath } from './paths.js';
import { runScript } from './run-script.js';
import { ToolError } from './tool-error.js';

const GLOB_RESULT_LIMIT = 200;
const GREP_OUTPUT_LIMIT = 100 * 1024;
const SEARCH_TIMEOUT_MS = 60_000;

// Bash globstar matching (`**` recurses, symlinked dirs are not followed).
// Only regular, non-symlink files; .git and node_modules are skipped.
// Prints "<mtime> <absolute path>" NUL-separated; Node sorts newest first.
const GLOB_SCRIPT = `
cd -- "$1" 2>/dev/null || exit 10
root=$(pwd -P)
shopt -s globstar nullglob extglob
IFS=
for m in $2; do
  case "/$m/" in */.git/*|*/node_modules/*) continue ;; esac
  if [ -f "$m" ] && [ ! -L "$m" ]; then printf '%s\\0' "$root/$m"; fi
done | xargs -0 -r stat -c '%.9Y %n' --
`;

// ripgrep when the sandbox has it, else grep -rn -E with the same output shape.
const GREP_SCRIPT = `
[ -e "$2" ] || exit 10
if command -v rg >/dev/null 2>&1; then
  exec rg --no-config -n --no-heading --color never -e "$1" -- "$2"
fi
exec grep -rnHIE --exclude-dir=.git --exclude-dir=node_modules -e "$1" -- "$2"
`;

function patternCanAscend(pattern: string): boolean {
  return pattern.split(/[\\/{},|()]/).includes('..');
}

export async function globTool(inside: InsideSpawner, input: Record<string, unknown>): Promise<string> {
  const pattern = input['pattern'];
  if (typeof pattern !== 'string' || pattern === '') throw new ToolError('glob: pattern is required');
  if (pattern.startsWith('/'))
    throw new ToolError(
      'glob: absolute pattern not permitted; pass a relative pattern (and optionally path)',
    );
  if (patternCanAscend(pattern)) throw new ToolError('glob: ".." is not permitted in the pattern');
  const root =
    input['path'] === undefined || input['path'] === null || input['path'] === ''
      ? inside.workdir
      : insidePath(inside.workdir, input['path'], 'glob', 'path');
  const result = await runScript(inside, GLOB_SCRIPT, [root, pattern], {
    tool: 'glob',
    timeoutMs: SEARCH_TIMEOUT_MS,
    maxStdout: 16 * 1024 * 1024,
  });
  if (result.code === 10) throw new ToolError(`glob: ${String(input['path'])}: no such directory`);
  if (result.code !== 0) throw new ToolError(`glob: ${result.stderr.trim() || `exit ${result.code}`}`);
  const matches = result.stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.indexOf(' ');
      return { mtime: Number(line.slice(0, space)), path: line.slice(space + 1) };
    });
  if (matches.length === 0) return 'no matches';
  matches.sort((a, b) => b.mtime - a.mtime);
  return matches
    .slice(0, GLOB_RESULT_LIMIT)
    .map((match) => match.path)
    .join('\n');
}

export async function grepTool(
  inside: InsideSpawner,
  input: Record<string, unknown>,
  signal: AbortSignal,
): Promise<string> {
  const pattern = input['pattern'];
  if (typeof pattern !== 'string' || pattern === '') throw new ToolError('grep: pattern is required');
  const path =
    input['path'] === undefined || input['path'] === null || input['path'] === ''
      ? inside.workdir
      : insidePath(inside.workdir, input['path'], 'grep', 'path');
  const result = await runScript(inside, GREP_SCRIPT, [pattern, path], {
    tool: 'grep',
    timeoutMs: SEARCH_TIMEOUT_MS,
    maxStdout: GREP_OUTPUT_LIMIT,
    signal,
  });
  const out = result.stdout.toString('utf8');
  if (result.truncated) return `${out}\n[output truncated at ${GREP_OUTPUT_LIMIT} bytes]`;
  if (result.code === 10) throw new ToolError(`grep: ${String(input['path'])}: no such file or directory`);
  if (result.code === 0) return out.replace(/\n$/, '');
  if (result.code === 1) return 'no matches';
  throw new ToolError(`grep: rg failed: ${result.stderr.trim() || `exit ${result.code}`}`);
}
