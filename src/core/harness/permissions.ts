import type { PermissionVerdict, ToolEvaluation } from '../events/session-event.js';
import type { CatalogEntry } from '../ports/tool-runner.js';

export interface PermissionDecision {
  verdict: PermissionVerdict;
  evaluation: ToolEvaluation;
}

/** The `auto` policy's judge. Pluggable: pass your own to the harness. */
export type AutoJudge = (
  entry: CatalogEntry,
  input: Record<string, unknown>,
) => { type: 'allow' } | { type: 'ask'; reason_code: string } | { type: 'deny'; reason_code: string };

const READ_ONLY_TOOLS = new Set(['read', 'glob', 'grep', 'web_search', 'web_fetch']);

/**
 * Patterns that destroy data, escalate, or reach beyond the sandbox. Not a
 * security boundary (the sandbox is); a speed bump that asks a human first.
 */
const HIGH_RISK_SHELL = [
  /\brm\s+(-[a-z]*r[a-z]*f|-[a-z]*f[a-z]*r)\b/i,
  /\bmkfs(\.\w+)?\b/,
  /\bdd\s+if=/,
  /:\(\)\s*\{\s*:\|:&\s*\};:/,
  /\b(shutdown|reboot|halt|poweroff)\b/,
  /\bgit\s+push\b.*--force/,
  /\bchmod\s+-R\s+777\b/,
  /\b(curl|wget)\b[^|]*\|\s*(ba)?sh\b/,
  />\s*\/dev\/sd[a-z]/,
];

/**
 * Default rules: read-only tools are allowed; writes and edits are allowed
 * (they stay inside the sandbox); shell commands matching a destructive
 * pattern ask with `high_risk`; anything we cannot classify asks with
 * `indeterminate`.
 */
export const defaultAutoJudge: AutoJudge = (entry, input) => {
  if (entry.kind === 'builtin') {
    if (READ_ONLY_TOOLS.has(entry.name) || entry.name === 'write' || entry.name === 'edit')
      return { type: 'allow' };
    if (entry.name === 'bash') {
      const command = typeof input['command'] === 'string' ? input['command'] : '';
      return HIGH_RISK_SHELL.some((pattern) => pattern.test(command))
        ? { type: 'ask', reason_code: 'high_risk' }
        : { type: 'allow' };
    }
  }
  if (
    entry.kind === 'mcp' &&
    /^(get|list|read|search|fetch|describe|echo)/i.test(entry.remoteName ?? entry.name)
  ) {
    return { type: 'allow' };
  }
  return { type: 'ask', reason_code: 'indeterminate' };
};

export function evaluatePermission(
  entry: CatalogEntry,
  input: Record<string, unknown>,
  judge: AutoJudge = defaultAutoJudge,
): PermissionDecision {
  switch (entry.policy.type) {
    case 'always_allow':
      return { verdict: 'allow', evaluation: { type: 'always_allow' } };
    case 'always_ask':
      return { verdict: 'ask', evaluation: { type: 'always_ask' } };
    case 'auto': {
      const judged = judge(entry, input);
      return { verdict: judged.type, evaluation: { type: 'auto', evaluated_permission: judged } };
    }
  }
}
