import type { LogEntry } from '../harness/session-state.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import { SANDBOX_TOOL_NAMES } from '../ports/sandbox.js';
import type { ToolRunner } from '../ports/tool-runner.js';

/** At most this many files, each shown up to this many bytes (text only). */
const MAX_FILES = 50;
const MAX_FILE_BYTES = 20_000;

/**
 * The listing and text of /mnt/session/outputs (where an agent leaves its deliverables), read
 * with one `bash` call in a subshell (so the agent's shell keeps its directory). Undefined when
 * the agent never used a sandbox tool (there can be no outputs, and no sandbox is started just
 * to look), for self-hosted environments (the sandbox is the customer's worker), or on failure.
 */
export async function readOutputFiles(
  tools: ToolRunner,
  session: HarnessSession,
  events: readonly LogEntry[],
  signal: AbortSignal,
): Promise<string | undefined> {
  if (session.environmentType === 'self_hosted') return undefined;
  const sandboxTools = new Set<string>(SANDBOX_TOOL_NAMES);
  const usedSandbox = events.some(
    ({ event }) => event.type === 'agent.tool_use' && sandboxTools.has(event.name),
  );
  if (!usedSandbox) return undefined;
  const command = [
    '( cd /mnt/session/outputs 2>/dev/null || exit 0',
    `find . -type f -printf '%P\\n' | sort | head -n ${MAX_FILES} | while IFS= read -r file; do`,
    '  size=$(stat -c %s "$file")',
    '  printf \'=== %s (%s bytes)\\n\' "$file" "$size"',
    `  if [ "$size" -le ${MAX_FILE_BYTES} ] && grep -Iq . "$file"; then cat "$file"; printf '\\n';`,
    `  else echo '(binary, empty, or larger than ${MAX_FILE_BYTES} bytes: not shown)'; fi`,
    'done )',
  ].join('\n');
  try {
    const outcome = await tools.run({
      session,
      toolUseId: 'outcome_grader_outputs',
      entry: { kind: 'builtin', name: 'bash', policy: { type: 'always_allow' } },
      input: { command },
      signal,
    });
    if (outcome.isError) return undefined;
    const text = outcome.content
      .map((block) => (block.type === 'text' ? block.text : ''))
      .join('')
      .trim();
    return text.length > 0 ? text : undefined;
  } catch {
    if (signal.aborted) throw signal.reason;
    return undefined;
  }
}
