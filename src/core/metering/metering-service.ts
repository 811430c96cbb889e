import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { Session, SessionAgent, SessionThread } from '../domain/session.js';
import { notFound } from '../errors.js';
import type { SessionEvent } from '../events/session-event.js';
import type { Cursor, Store } from '../ports/store.js';
import { USAGE_GROUPS, type UsageGroup, type UsageReportQuery } from '../schemas/metering.js';
import type { EventLog } from '../sessions/event-log.js';
import type { BudgetPolicy } from '../sessions/session-budget.js';
import { budgetExceeded, consumedListCost, stoppedForBudget, unpricedModels } from './budget.js';
import { buildCostReport, type SessionCostReport } from './cost-report.js';
import type { Money } from './money.js';
import type { PriceTable } from './prices.js';
import { foldUsageLedger } from './session-usage.js';
import { UsageAggregator, type UsageReportRow, usageReportCsv } from './usage-report.js';

const PAGE = 1000;

/** Only these events move usage (plus, for sessions that searched the web, tool results). */
const METERED_TYPES = [
  'span.model_request_end',
  'span.outcome_evaluation_end',
  'agent.tool_use',
  'session.status_running',
  'session.status_idle',
  'session.status_rescheduled',
  'session.status_terminated',
  'session.thread_status_running',
  'session.thread_status_idle',
  'session.thread_status_rescheduled',
  'session.thread_status_terminated',
];

export interface UsageReport {
  type: 'usage_report';
  starting_at: string;
  ending_at: string;
  group_by: UsageGroup[];
  currency: 'USD';
  data: UsageReportRow[];
  total: UsageReportRow;
}

/** Cost, budgets and reports: every figure is a fold over session logs priced with one table. */
export class MeteringService implements BudgetPolicy {
  constructor(private readonly deps: { store: Store; log: EventLog; clock: Clock; prices: PriceTable }) {}

  unpricedModels(agent: SessionAgent): string[] {
    return unpricedModels(agent, this.deps.prices);
  }

  async consumed(session: Session): Promise<Money | null> {
    const events = await this.meteredEvents(session.id);
    return consumedListCost(session, events, this.deps.clock.now(), this.deps.prices);
  }

  /** After a budget update: the session stopped for its budget, and the new one lets it go on. */
  async budgetAllowsResume(session: Session): Promise<boolean> {
    const events = await this.meteredEvents(session.id);
    if (!stoppedForBudget(events)) return false;
    return !budgetExceeded(session, events, this.deps.clock.now(), this.deps.prices);
  }

  async sessionCost(sessionId: string): Promise<SessionCostReport> {
    const record = await this.deps.store.resources.get<Session>('session', sessionId);
    if (!record) throw notFound('Session', sessionId);
    const now = this.deps.clock.now();
    const threads = await this.deps.store.resources.list<SessionThread>({
      kind: 'thread',
      parentId: sessionId,
      order: 'asc',
      limit: 1000,
      includeArchived: true,
    });
    const primary = threads.items.find((thread) => thread.doc.parent_thread_id === null);
    return buildCostReport({
      sessionId,
      primaryThreadId: primary?.id ?? null,
      defaultModel: record.doc.agent.model.id,
      ledger: foldUsageLedger(await this.meteredEvents(sessionId), now),
      prices: this.deps.prices,
      computedAt: toTimestamp(now),
    });
  }

  /**
   * Scans every session created before the window ends (archived ones too):
   * simple and exact, linear in the sessions and metered events it reads.
   */
  async usageReport(query: UsageReportQuery): Promise<UsageReport> {
    const endingAt = query.ending_at ?? toTimestamp(this.deps.clock.now());
    const groupBy = query.group_by && query.group_by.length > 0 ? dedupe(query.group_by) : ['day' as const];
    const aggregator = new UsageAggregator(
      { startMs: Date.parse(query.starting_at), endMs: Date.parse(endingAt) },
      this.deps.prices,
    );
    let cursor: Cursor | undefined;
    for (;;) {
      const page = await this.deps.store.resources.list<Session>({
        kind: 'session',
        order: 'asc',
        limit: 100,
        cursor,
        includeArchived: true,
        createdAt: { lt: endingAt },
      });
      for (const record of page.items) {
        const session = record.doc;
        const events = await this.meteredEvents(session.id, endingAt);
        aggregator.addSession(
          { agentId: session.agent.id, agentName: session.agent.name, model: session.agent.model.id },
          events,
        );
      }
      const last = page.items[page.items.length - 1];
      if (!page.hasMore || !last) break;
      cursor = { createdAt: last.createdAt, id: last.id, direction: 'next' };
    }
    return {
      type: 'usage_report',
      starting_at: query.starting_at,
      ending_at: endingAt,
      group_by: groupBy,
      currency: 'USD',
      data: aggregator.rows(groupBy),
      total: aggregator.total(),
    };
  }

  usageReportCsv(report: UsageReport): string {
    return usageReportCsv(report.data, report.group_by);
  }

  /**
   * Web searches count by their results (session-usage.ts). Tool results can
   * be large and most sessions never search, so they are read only for a
   * session that did.
   */
  private async meteredEvents(sessionId: string, before?: string): Promise<SessionEvent[]> {
    const events = await this.events(sessionId, METERED_TYPES, before);
    const searched = events.some((event) => event.type === 'agent.tool_use' && event.name === 'web_search');
    return searched ? this.events(sessionId, [...METERED_TYPES, 'agent.tool_result'], before) : events;
  }

  private async events(
    sessionId: string,
    types: readonly string[],
    before?: string,
  ): Promise<SessionEvent[]> {
    const out: SessionEvent[] = [];
    let afterSeq: number | undefined;
    for (;;) {
      const page = await this.deps.log.list(sessionId, {
        order: 'asc',
        limit: PAGE,
        afterSeq,
        types,
        processedAt: before === undefined ? undefined : { lt: before },
      });
      for (const stored of page) out.push(stored.doc);
      const last = page[page.length - 1];
      if (page.length < PAGE || !last) return out;
      afterSeq = last.seq;
    }
  }
}

const dedupe = (groups: readonly UsageGroup[]): UsageGroup[] =>
  USAGE_GROUPS.filter((group) => groups.includes(group)).sort(
    (a, b) => groups.indexOf(a) - groups.indexOf(b),
  );
