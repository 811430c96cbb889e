import type { BudgetLimit } from '../domain/session.js';
import { invalidRequest } from '../errors.js';

/**
 * A budget update (spec §3.3): null removes it; an existing budget may only be
 * raised; a session created without one cannot get one later. Returns
 * undefined when nothing changes.
 */
export function budgetChange(
  current: BudgetLimit | null,
  next: BudgetLimit | null,
): BudgetLimit | null | undefined {
  if (next === null) return current === null ? undefined : null;
  if (current === null)
    throw invalidRequest('budget: a budget can only be set when the session is created', {
      errorCode: 'budget_create_only',
    });
  const from = Number(current.max_list_cost.amount);
  const to = Number(next.max_list_cost.amount);
  if (to === from) return undefined;
  if (to < from)
    throw invalidRequest(
      `budget.max_list_cost.amount: must be raised above ${current.max_list_cost.amount}`,
      {
        errorCode: 'budget_not_raised',
      },
    );
  return next;
}
