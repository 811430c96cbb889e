import type { SessionMultiagent, SessionThread, ThreadAgent } from '../domain/session.js';
import type { SessionEvent } from '../events/session-event.js';
import { textOf } from '../harness/build-model-request.js';
import { inlineAgentFrom } from '../harness/inline-agent.js';
import type { LogEntry } from '../harness/session-state.js';
import { chargeTokens, webFetchCharge, webSearchCharge } from '../metering/list-cost.js';
import type { Money } from '../metering/money.js';
import { type PriceTable, priceFor } from '../metering/prices.js';
import { foldUsageLedger } from '../metering/session-usage.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import type { ProgramInlineAgent } from '../ports/workflow-program.js';

/**
 * The agent a program's `agent()` call runs: the session's own agent when it names none, a
 * predefined agent of `workflows.predefined_agents` by name, or an inline agent (when
 * `workflows.inline_agents` is enabled; inline-agent.ts). A refusal is an Error the program sees.
 */
export function resolveRunAgent(
  session: HarnessSession,
  spec: string | ProgramInlineAgent | undefined,
): SessionThread['agent'] {
  const { multiagent, ...own } = session.agent;
  const config = multiagent as SessionMultiagent | null;
  const workflows = config?.type === 'multiagent_20261001' ? config.workflows : undefined;
  if (workflows?.type !== 'enabled') throw new Error('workflow runs are not enabled for this agent');
  if (spec === undefined) return { ...own, type: 'agent' } as ThreadAgent;
  if (typeof spec === 'string') {
    const found = workflows.predefined_agents.find(
      (agent) => agent.name.toLowerCase() === spec.toLowerCase(),
    );
    if (found) return found;
    const names = workflows.predefined_agents.map((agent) => agent.name);
    throw new Error(
      `no predefined agent named ${JSON.stringify(spec)}${names.length ? `; choose one of: ${names.join(', ')}` : ''}`,
    );
  }
  if (workflows.inline_agents.type !== 'enabled')
    throw new Error('inline agents are disabled for workflow runs');
  // The same rules as spawn_agent's inline agents: tools only within what the session's agent has.
  const inline = inlineAgentFrom(spec, session);
  if ('error' in inline) throw new Error(inline.error);
  return inline.agent;
}

/** How an `agent()` call's thread stands: still working, or replied (its last message), or gone. */
export type ThreadReply = { type: 'pending' } | { type: 'replied'; text: string } | { type: 'terminated' };

/**
 * The thread's reply to the message the run sent it (event `messageId`): its last `agent.message`
 * once it goes idle for a reason other than waiting on the client.
 */
export function threadReply(entries: readonly LogEntry[], threadId: string, messageId: string): ThreadReply {
  let sent = false;
  let reply = '';
  for (const { event } of entries) {
    if (event.id === messageId) {
      sent = true;
      continue;
    }
    if (!sent || event.session_thread_id !== threadId) continue;
    if (event.type === 'agent.message') reply = textOf(event.content);
    if (event.type === 'session.thread_status_terminated') return { type: 'terminated' };
    if (event.type === 'session.thread_status_idle' && event.stop_reason.type !== 'requires_action') {
      const stopped = event.stop_reason.type === 'end_turn' ? '' : `[stopped: ${event.stop_reason.type}] `;
      return { type: 'replied', text: `${stopped}${reply}` };
    }
  }
  return { type: 'pending' };
}

/** True when a thread's last status says it is not working (idle or terminated). */
export function threadSettled(entries: readonly LogEntry[], threadId: string): boolean {
  let settled = true;
  for (const { event } of entries) {
    if (event.session_thread_id !== threadId) continue;
    if (event.type === 'session.thread_status_running' || event.type === 'agent.thread_message_received')
      settled = false;
    if (event.type === 'session.thread_status_idle' || event.type === 'session.thread_status_terminated')
      settled = true;
  }
  return settled;
}

/**
 * A run's list cost: the tokens of its threads' own model requests, each priced at its model,
 * plus their server tools (runtime is the session's, as for any thread). Null when a model has
 * no list price.
 */
export function runCost(
  events: readonly SessionEvent[],
  threadIds: ReadonlySet<string>,
  nowMs: number,
  prices: PriceTable,
  defaultModel: string,
): Money | null {
  const ledger = foldUsageLedger(events, nowMs);
  let total: Money = 0n;
  for (const line of ledger.lines) {
    if (line.threadId === null || !threadIds.has(line.threadId)) continue;
    const price = priceFor(prices, line.model ?? defaultModel);
    if (!price) return null;
    total += chargeTokens(line.tokens, price).total;
  }
  for (const thread of ledger.threads) {
    if (thread.threadId === null || !threadIds.has(thread.threadId)) continue;
    total += webSearchCharge(thread.server_tool_use.web_search_requests, prices);
    total += webFetchCharge(thread.server_tool_use.web_fetch_requests, prices);
  }
  return total;
}
