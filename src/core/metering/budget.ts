import type { BudgetLimit, SessionAgent } from '../domain/session.js';
import type { SessionEvent } from '../events/session-event.js';
import { costOfLedger } from './list-cost.js';
import { cents, type Money } from './money.js';
import { type PriceTable, priceFor } from './prices.js';
import { foldUsageLedger, type UsageLedger } from './session-usage.js';

/** What a budget check needs to know about a session. */
export interface BudgetedSession {
  budget: BudgetLimit | null;
  agent: { model: { id: string } };
}

export const budgetAmount = (budget: BudgetLimit): Money =>
  cents(budget.max_list_cost.amount, 'budget.max_list_cost.amount');

/** The session's list cost so far; null when it used (or runs) a model without a list price. */
export function consumedListCost(
  session: BudgetedSession,
  events: readonly SessionEvent[],
  nowMs: number,
  prices: PriceTable,
): Money | null {
  return costOfLedger(foldUsageLedger(events, nowMs), prices, session.agent.model.id).total;
}

/**
 * True when the session may not start another model request: its list cost
 * has reached the budget, or cannot be measured because a model has no list
 * price (the budget cannot cap what it cannot price).
 */
export function budgetExceeded(
  session: BudgetedSession,
  events: readonly SessionEvent[],
  nowMs: number,
  prices: PriceTable,
): boolean {
  if (!session.budget) return false;
  return budgetExceededOf(session, foldUsageLedger(events, nowMs), prices);
}

/** `budgetExceeded` on a ledger already folded (the harness keeps one per session: UsageFold). */
export function budgetExceededOf(session: BudgetedSession, ledger: UsageLedger, prices: PriceTable): boolean {
  if (!session.budget) return false;
  const spent = costOfLedger(ledger, prices, session.agent.model.id).total;
  return spent === null || spent >= budgetAmount(session.budget);
}

/**
 * True when the log's last idle already says `budget_reached` and no client
 * input came after it: saying it again would only repeat the same news.
 */
export function budgetStopAnnounced(log: ReadonlyArray<{ seq: number; event: SessionEvent }>): boolean {
  for (let index = log.length - 1; index >= 0; index--) {
    const event = log[index]?.event;
    if (!event) continue;
    if (event.type.startsWith('user.') || event.type === 'system.message') return false;
    if (event.type === 'session.status_idle' && !event.session_thread_id)
      return event.stop_reason.type === 'budget_reached';
  }
  return false;
}

/** True when the log's last idle is `budget_reached` (a raised budget should wake the session). */
export function stoppedForBudget(events: readonly SessionEvent[]): boolean {
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index];
    if (event?.type === 'session.status_idle' && !event.session_thread_id)
      return event.stop_reason.type === 'budget_reached';
    if (event?.type === 'session.status_running' && !event.session_thread_id) return false;
  }
  return false;
}

/** Every model the session can run (its agent, roster agents, advisors) that has no list price. */
export function unpricedModels(agent: SessionAgent, prices: PriceTable): string[] {
  const models = new Set<string>([agent.model.id]);
  const roster = agent.multiagent;
  if (roster?.type === 'coordinator') {
    for (const member of roster.agents)
      models.add(member.type === 'advisor' ? member.model : member.model.id);
  } else if (roster?.type === 'multiagent_20261001') {
    if (roster.advisor.type === 'enabled') models.add(roster.advisor.model);
    for (const delegation of [roster.subagents, roster.workflows]) {
      if (delegation.type !== 'enabled') continue;
      for (const member of delegation.predefined_agents) models.add(member.model.id);
    }
  }
  return [...models].filter((model) => !priceFor(prices, model));
}
