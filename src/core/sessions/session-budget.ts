import type { BudgetLimit, Session, SessionAgent } from '../domain/session.js';
import { invalidRequest } from '../errors.js';
import { budgetAmount } from '../metering/budget.js';
import { formatUsd, type Money } from '../metering/money.js';

/** What the budget rules need from metering (src/core/metering/metering-service.ts). */
export interface BudgetPolicy {
  /** Models the session could run that have no list price. */
  unpricedModels(agent: SessionAgent): string[];
  /** The session's list cost so far; null when it cannot be priced. */
  consumed(session: Session): Promise<Money | null>;
}

/** A budget needs every model the session can run to have a list price (spec §3.3). */
export function assertBudgetable(agent: SessionAgent, policy: BudgetPolicy | undefined): void {
  const unpriced = policy?.unpricedModels(agent) ?? [];
  if (unpriced.length > 0)
    throw invalidRequest(
      `budget: model ${unpriced.join(', ')} has no list price, so a budget cannot cap it`,
      {
        errorCode: 'model_not_budgetable',
      },
    );
}

/**
 * A budget update (spec §3.3, SessionUpdateParams.budget): null removes it; a
 * session created without one (or whose budget was removed) cannot get one;
 * the new ceiling must stay above what the session has already spent.
 * Returns undefined when nothing changes.
 */
export async function budgetChange(
  current: Session,
  next: BudgetLimit | null,
  policy: BudgetPolicy | undefined,
): Promise<BudgetLimit | null | undefined> {
  if (next === null) return current.budget === null ? undefined : null;
  if (current.budget === null)
    throw invalidRequest('budget: a budget can only be set when the session is created', {
      errorCode: 'budget_create_only',
    });
  assertBudgetable(current.agent, policy);
  const to = budgetAmount(next);
  if (to === budgetAmount(current.budget)) return undefined;
  const consumed = policy ? await policy.consumed(current) : 0n;
  if (consumed !== null && to <= consumed)
    throw invalidRequest(
      `budget.max_list_cost.amount: must be above the session's consumed list cost ($${formatUsd(consumed)})`,
      { errorCode: 'budget_not_raised' },
    );
  return next;
}
