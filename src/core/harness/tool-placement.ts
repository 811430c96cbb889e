import type { HarnessSession } from '../ports/harness-sessions.js';
import { SANDBOX_TOOL_NAMES } from '../ports/sandbox.js';
import type { PendingToolUse, SessionState } from './session-state.js';

const SANDBOX_TOOLS = new Set<string>(SANDBOX_TOOL_NAMES);

/**
 * Where tool uses run. In a self_hosted environment the sandbox built-ins run
 * on the customer's worker (spec §6): an allowed `agent.tool_use` of one of
 * them waits for the worker's `user.tool_result` like a custom tool waits for
 * its client, so the session idles with `requires_action` meanwhile. `ask`
 * stays `ask` (the worker also waits for the confirmation), `deny` still gets
 * the server's error result, and web, MCP and delegation tools stay on the server.
 */
export function placeToolUses(state: SessionState, session: HarnessSession): SessionState {
  if (session.environmentType !== 'self_hosted') return state;
  return { ...state, unresolved: state.unresolved.map(placeOnWorker) };
}

function placeOnWorker(pending: PendingToolUse): PendingToolUse {
  const runsOnWorker =
    pending.decision === 'allow' &&
    pending.event.type === 'agent.tool_use' &&
    SANDBOX_TOOLS.has(pending.event.name);
  return runsOnWorker ? { ...pending, decision: 'client' } : pending;
}
