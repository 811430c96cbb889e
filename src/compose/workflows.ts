import type { WorkflowConfig } from '../config/workflows.js';
import type { Clock } from '../core/clock.js';
import { createHarnessSessions } from '../core/harness/session-log-adapters.js';
import type { ThreadDirectory } from '../core/harness/thread-directory.js';
import type { IdGenerator } from '../core/ids.js';
import type { PriceTable } from '../core/metering/prices.js';
import type { HarnessLog } from '../core/ports/harness-log.js';
import type { Store } from '../core/ports/store.js';
import type { ToolCall, ToolRunner } from '../core/ports/tool-runner.js';
import { archiveThread } from '../core/sessions/archive-thread.js';
import type { EventLog } from '../core/sessions/event-log.js';
import type { SessionService } from '../core/sessions/session-service.js';
import type { WorkflowLimits } from '../core/workflows/workflow-run.js';
import { WorkflowRunner } from '../core/workflows/workflow-runner.js';
import { WorkflowTools } from '../core/workflows/workflow-tools.js';
import { ProgramConfinement } from '../sandbox/program-confinement.js';
import { createNodeProgramRunner } from '../workflow-runtime/node-program-runner.js';

export interface WorkflowsDeps {
  config: WorkflowConfig;
  store: Store;
  ids: IdGenerator;
  clock: Clock;
  log: HarnessLog;
  events: EventLog;
  sessions: SessionService;
  directory: ThreadDirectory;
  nodeId: string;
  leaseTtlMs: number;
  prices: PriceTable;
  /** The harness's signals: start a thread, wake a session, abort its running steps. */
  kick(sessionId: string, threadId: string): void;
  notify(sessionId: string): void;
  interrupt(sessionId: string): void;
  /** Tests tighten the limits (PADDOCK_WORKFLOW_* otherwise). */
  limits?: Partial<WorkflowLimits> | undefined;
  onError(error: unknown, runId: string): void;
}

export interface Workflows {
  tools: WorkflowTools;
  runner: WorkflowRunner;
  /** One delegation runner: workflow tools here, every other delegation tool to `other`. */
  withDelegation(other: ToolRunner): ToolRunner;
}

/** Part of the composition root: workflow runs' tools, their runner, and the program runtime. */
export function createWorkflows(deps: WorkflowsDeps): Workflows {
  const config = deps.config;
  const limits: WorkflowLimits = {
    maxOpenRunsPerSession: config.maxOpenRunsPerSession,
    maxThreadsPerRun: config.maxThreadsPerRun,
    maxWallMs: config.maxWallMs,
    maxSpendUsd: config.maxSpendUsd,
    maxProgramBytes: config.maxProgramBytes,
    pollMs: config.pollMs,
    ...deps.limits,
  };
  const tools = new WorkflowTools({
    store: deps.store,
    ids: deps.ids,
    clock: deps.clock,
    log: deps.log,
    limits,
  });
  const runner = new WorkflowRunner({
    store: deps.store,
    clock: deps.clock,
    // The run holds its own lease (not the session's): its appends are keyed instead.
    log: runLog(deps.events),
    directory: deps.directory,
    sessions: createHarnessSessions(deps.sessions, deps.events, deps.nodeId),
    programs: createNodeProgramRunner({
      bwrap: config.bwrap,
      heapMb: config.heapMb,
      maxLineBytes: 4 * 1024 * 1024,
      confinement: new ProgramConfinement({
        limits: config.cgroup
          ? {
              memoryBytes: config.cgroup.memoryMb * 1024 * 1024,
              pids: config.cgroup.pids,
              cpus: config.cgroup.cpus,
            }
          : null,
        warn: (message) => process.stderr.write(`${message}\n`),
      }),
    }),
    prices: deps.prices,
    limits,
    kick: deps.kick,
    notify: deps.notify,
    interrupt: deps.interrupt,
    archiveThread: async (sessionId, threadId) => {
      await archiveThread({ store: deps.store, log: deps.events, clock: deps.clock }, sessionId, threadId);
    },
    leases: deps.store.leases,
    nodeId: deps.nodeId,
    leaseTtlMs: deps.leaseTtlMs,
    onError: deps.onError,
  });
  tools.signals = runner;
  return {
    tools,
    runner,
    withDelegation: (other) => ({
      run: (call: ToolCall) => (tools.handles(call.entry.name) ? tools.run(call) : other.run(call)),
      async extraTools(session, reserved) {
        return [
          ...((await other.extraTools?.(session, reserved)) ?? []),
          ...(await tools.extraTools(session)),
        ];
      },
    }),
  };
}

/** The log as a run reads and appends it: whole, keyed, without the session's lease. */
function runLog(events: EventLog): HarnessLog {
  const PAGE = 1000;
  return {
    async read(sessionId) {
      const out: Awaited<ReturnType<HarnessLog['read']>> = [];
      let afterSeq: number | undefined;
      for (;;) {
        const page = await events.list(sessionId, { order: 'asc', limit: PAGE, afterSeq });
        for (const stored of page) out.push({ seq: stored.seq, event: stored.doc });
        const last = page.at(-1);
        if (page.length < PAGE || !last) return out;
        afterSeq = last.seq;
      }
    },
    async append(sessionId, drafts, keys) {
      const stored = await events.append(
        sessionId,
        drafts,
        typeof keys === 'string' ? { idempotencyKey: keys } : { idempotencyKeys: keys },
      );
      return stored.map((event) => event.doc);
    },
  };
}
