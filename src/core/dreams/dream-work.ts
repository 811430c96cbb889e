import type { RetryPolicy } from '../harness/retry-policy.js';
import type { MemoryService } from '../memory/memory-service.js';
import type { MemoryStoreService } from '../memory/memory-store-service.js';
import { chargeTokens } from '../metering/list-cost.js';
import { formatUsd, usd } from '../metering/money.js';
import { type PriceTable, priceFor } from '../metering/prices.js';
import { spanTokens } from '../metering/session-usage.js';
import type { ModelRouter, ModelUsageReport } from '../ports/model-provider.js';
import type { ResourceRecord } from '../ports/store.js';
import type { EventLog } from '../sessions/event-log.js';
import { runInWorkspaceScope } from '../workspaces/workspace-scope.js';
import { type Dream, type DreamDocument, dreamInputSessions, dreamInputStore } from './dream.js';
import { askDreamModel, DreamModelError } from './dream-model.js';
import { buildDreamRequest, parseDreamAnswer, type SessionTranscript } from './dream-prompt.js';
import type { DreamService } from './dream-service.js';
import { applyDreamResult } from './dream-writes.js';

export interface DreamWorkDeps {
  dreams: DreamService;
  memoryStores: MemoryStoreService;
  memories: MemoryService;
  events: EventLog;
  router: ModelRouter;
  retry: RetryPolicy;
  prices: PriceTable;
  /** The workspace's monthly spend limit (core/workspaces/workspace-spend.ts), asked before the model. */
  spendLimitReached?: ((workspaceId: string) => Promise<boolean>) | undefined;
}

const TRANSCRIPT_TYPES = ['user.message', 'agent.message', 'agent.tool_use', 'agent.mcp_tool_use'];
const PAGE = 1000;

/**
 * Runs one dream to its end on this node (the caller holds its lease): reads the store and the
 * sessions' logs, asks the model for the reorganized store, writes it. Safe to run again from the
 * start after a crash: the output store is recorded before anything is written to it, and writes
 * converge on the result (unchanged memories write no version). Returns early when `signal` aborts.
 */
export async function runDream(deps: DreamWorkDeps, dreamId: string, signal: AbortSignal): Promise<void> {
  const started = await deps.dreams.advance(dreamId, (doc) => {
    const dream: Dream = { ...doc.dream, status: 'running' };
    // Writing into the input store: the output is known from the start.
    if (dream.output_behavior.type === 'update_existing' && dream.outputs.length === 0)
      dream.outputs = [{ type: 'memory_store', memory_store_id: dream.output_behavior.memory_store_id }];
    return { ...doc, dream };
  });
  if (!started || signal.aborted) return;
  const workspaceId = started.workspaceId ?? '';
  const scope = { workspaceId, confined: true, actor: started.doc.createdBy ?? undefined };
  const inScope = <T>(fn: () => Promise<T>) => runInWorkspaceScope(scope, fn);
  try {
    const dream = started.doc.dream;
    const inputStore = dreamInputStore(dream);
    const memories = await inScope(() => deps.memories.listUnder(inputStore, '/'));
    const transcripts = await readTranscripts(deps.events, dreamInputSessions(dream));
    if (await deps.spendLimitReached?.(workspaceId))
      return void (await deps.dreams.finish(dreamId, 'failed', {
        type: 'budget_reached',
        message: "the workspace's monthly spend limit is reached",
      }));
    const request = buildDreamRequest({
      model: dream.model.id,
      instructions: dream.instructions,
      memories,
      transcripts,
    });
    const blocks = await askDreamModel(
      { router: deps.router, retry: deps.retry, onUsage: (usage) => recordUsage(deps, dreamId, usage) },
      request,
      signal,
    );
    const planned = parseDreamAnswer(blocks);
    if (typeof planned === 'string')
      return void (await deps.dreams.finish(dreamId, 'failed', { type: 'invalid_output', message: planned }));
    if (signal.aborted) return;
    const target = await inScope(() => outputStore(deps, started, signal));
    if (target === undefined) return;
    await inScope(() => applyDreamResult(deps.memories, target, planned, signal));
    if (signal.aborted) return;
    await deps.dreams.finish(dreamId, 'completed');
  } catch (error) {
    if (signal.aborted) return;
    const known = error instanceof DreamModelError;
    await deps.dreams.finish(dreamId, 'failed', {
      type: known ? error.type : 'internal_error',
      message: error instanceof Error ? error.message : String(error),
    });
    if (!known) throw error;
  }
}

/** The store the result goes to; for `create_new`, created once and recorded before any write. */
async function outputStore(
  deps: DreamWorkDeps,
  started: ResourceRecord<DreamDocument>,
  signal: AbortSignal,
): Promise<string | undefined> {
  const current = (await deps.dreams.record(started.id)).doc.dream;
  const recorded = current.outputs[0]?.memory_store_id;
  if (recorded) return recorded;
  if (signal.aborted || current.status !== 'running') return undefined;
  const input = await deps.memoryStores.retrieve(dreamInputStore(current));
  const suffix = ` (dream ${current.id})`;
  const created = await deps.memoryStores.create({
    name: `${input.name.slice(0, 255 - suffix.length)}${suffix}`,
    description: input.description,
    metadata: { ...input.metadata, dream_id: current.id },
  });
  const advanced = await deps.dreams.advance(current.id, (doc) => ({
    ...doc,
    dream: { ...doc.dream, outputs: [{ type: 'memory_store', memory_store_id: created.id }] },
  }));
  return advanced ? created.id : undefined;
}

async function readTranscripts(
  events: EventLog,
  sessionIds: readonly string[],
): Promise<SessionTranscript[]> {
  const transcripts: SessionTranscript[] = [];
  for (const sessionId of sessionIds) {
    const all: SessionTranscript['events'] = [];
    for (let afterSeq = 0; ; ) {
      const page = await events.list(sessionId, {
        order: 'asc',
        limit: PAGE,
        afterSeq,
        types: TRANSCRIPT_TYPES,
      });
      all.push(...page);
      const last = page.at(-1);
      if (page.length < PAGE || !last) break;
      afterSeq = last.seq;
    }
    transcripts.push({ sessionId, events: all });
  }
  return transcripts;
}

/** Adds one request's tokens and list cost (priced like any model request: core/metering/). */
async function recordUsage(deps: DreamWorkDeps, dreamId: string, usage: ModelUsageReport): Promise<void> {
  await deps.dreams.recordUsage(dreamId, (doc) => {
    const total = doc.dream.usage;
    const price = priceFor(deps.prices, doc.dream.model.id);
    const charge = price ? chargeTokens(spanTokens(usage), price).total : undefined;
    // Once a request could not be priced the total cannot be either (as session budgets treat it).
    const listCostUsd =
      charge === undefined || doc.listCostUsd === null ? null : formatUsd(usd(doc.listCostUsd) + charge);
    return {
      ...doc,
      listCostUsd,
      dream: {
        ...doc.dream,
        usage: {
          input_tokens: total.input_tokens + usage.input_tokens,
          output_tokens: total.output_tokens + usage.output_tokens,
          cache_read_input_tokens: total.cache_read_input_tokens + usage.cache_read_input_tokens,
          cache_creation_input_tokens: total.cache_creation_input_tokens + usage.cache_creation_input_tokens,
        },
      },
    };
  });
}
