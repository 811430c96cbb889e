import type { Clock } from '../clock.js';
import type { UsageReport } from '../metering/metering-service.js';
import { type Money, usd } from '../metering/money.js';
import type { WorkspaceLimits } from './workspace.js';
import { runInWorkspaceScope } from './workspace-scope.js';

export interface WorkspaceSpendDeps {
  limits(workspaceId: string): Promise<WorkspaceLimits | undefined>;
  /** The usage report of whatever workspace scope it runs in (MeteringService.usageReport). */
  report(query: { starting_at: string }): Promise<UsageReport>;
  clock: Clock;
  /** Spend outside session logs since `startingAt` (dreams' model requests); null: unpriced. */
  otherSpend?: ((workspaceId: string, startingAt: string) => Promise<Money | null>) | undefined;
}

/**
 * A workspace's monthly spend limit: the list cost of its sessions (and dreams) since the first of the month
 * (UTC). The harness asks before each model request, beside the session's own budget, and stops
 * with the same `budget_reached`. Reading the usage report is linear in the month's sessions.
 */
export class WorkspaceSpend {
  constructor(private readonly deps: WorkspaceSpendDeps) {}

  async limitReached(workspaceId: string): Promise<boolean> {
    const limit = (await this.deps.limits(workspaceId))?.monthly_spend_limit_usd ?? null;
    if (limit === null) return false;
    const spent = await this.monthToDate(workspaceId);
    // A cost that cannot be priced cannot be capped: treat it as over, as session budgets do.
    return spent === null || spent >= usd(limit, 'monthly_spend_limit_usd');
  }

  async monthToDate(workspaceId: string): Promise<Money | null> {
    const now = new Date(this.deps.clock.now());
    const starting_at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    const report = await runInWorkspaceScope({ workspaceId, confined: true }, () =>
      this.deps.report({ starting_at }),
    );
    const total = report.total.total_cost_usd;
    const other = this.deps.otherSpend ? await this.deps.otherSpend(workspaceId, starting_at) : 0n;
    return total === null || other === null ? null : usd(total, 'total_cost_usd') + other;
  }
}
