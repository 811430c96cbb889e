import { type Clock, toTimestamp } from '../clock.js';
import type { SessionMultiagent } from '../domain/session.js';
import { answerKey } from '../harness/append-keys.js';
import type { IdGenerator } from '../ids.js';
import { cents, formatUsd, type Money } from '../metering/money.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import type { ToolOutcome } from '../ports/sandbox.js';
import type { Store } from '../ports/store.js';
import type { ExtraTool, ToolCall, ToolRunner } from '../ports/tool-runner.js';
import {
  updateWorkflowRun,
  type WorkflowLimits,
  type WorkflowRunDoc,
  workflowRunRecord,
} from './workflow-run.js';

export const START_WORKFLOW_RUN = 'start_workflow_run';
export const CHECK_WORKFLOW_RUN = 'check_workflow_run';
export const STOP_WORKFLOW_RUN = 'stop_workflow_run';

/** What the tools need from the runs' driver (workflow-runner.ts). */
export interface WorkflowRunSignals {
  started(runId: string): void;
  /** The run's list cost so far (its threads' own usage), as a USD decimal string. */
  spentUsd(run: WorkflowRunDoc): Promise<string | null>;
}

const delegation = (name: string, description: string, input_schema: Record<string, unknown>): ExtraTool => ({
  entry: { kind: 'delegation', name, policy: { type: 'always_allow' } },
  definition: { name, description, input_schema },
});

const TOOLS: ExtraTool[] = [
  delegation(
    START_WORKFLOW_RUN,
    'Start a workflow run: a JavaScript program you write that runs many agents in phases and combines ' +
      'their results, in the background. `program` is the body of an async function with `agent(prompt, ' +
      '{agent})` (runs an agent in a new thread, resolves to its final reply text; `agent` is a predefined ' +
      "agent's name, an inline agent {name, system, model}, or absent for yourself), `phase(name, fn)` " +
      '(name is one of `phases`), `log(...)`, `budget()` and `input` in scope; what it returns is the ' +
      "run's result. The program has no files, network or modules. Returns at once with the run's id; " +
      'you are told when it ends. Keep working or end your turn meanwhile.',
    {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'A short name for the run' },
        description: { type: 'string' },
        phases: {
          type: 'array',
          description: 'The phases the program enters, in order',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, description: { type: 'string' } },
            required: ['name'],
          },
        },
        program: { type: 'string', description: 'The body of an async JavaScript function' },
        input: { description: 'Any JSON value, handed to the program as `input`' },
        max_spend_usd: { type: 'string', description: 'A spend ceiling for this run, in USD' },
      },
      required: ['program'],
    },
  ),
  delegation(
    CHECK_WORKFLOW_RUN,
    "Check on a workflow run: its status, phases, threads, spend, the program's log and, once ended, its result.",
    {
      type: 'object',
      properties: { workflow_run_id: { type: 'string' } },
      required: ['workflow_run_id'],
    },
  ),
  delegation(STOP_WORKFLOW_RUN, 'Stop a workflow run that has not ended; its threads are stopped too.', {
    type: 'object',
    properties: { workflow_run_id: { type: 'string' } },
    required: ['workflow_run_id'],
  }),
];

const text = (value: string, isError = false): ToolOutcome => ({
  content: [{ type: 'text', text: value }],
  isError,
});

/** True when the session's agent may start workflow runs (multiagent_20261001, workflows enabled). */
export function workflowsEnabled(multiagent: unknown): boolean {
  const config = multiagent as SessionMultiagent | null | undefined;
  return config?.type === 'multiagent_20261001' && config.workflows.type === 'enabled';
}

/** The primary thread's tools for workflow runs (docs/workflows.md). */
export class WorkflowTools implements ToolRunner {
  signals: WorkflowRunSignals | undefined;

  constructor(
    private readonly deps: {
      store: Store;
      ids: IdGenerator;
      clock: Clock;
      log: HarnessLog;
      limits: WorkflowLimits;
    },
  ) {}

  handles(name: string): boolean {
    return TOOLS.some((tool) => tool.definition.name === name);
  }

  async extraTools(session: HarnessSession): Promise<ExtraTool[]> {
    return workflowsEnabled(session.agent.multiagent) ? TOOLS : [];
  }

  async run(call: ToolCall): Promise<ToolOutcome> {
    if (!workflowsEnabled(call.session.agent.multiagent))
      return text('workflow runs are not enabled for this agent', true);
    if (call.entry.name === START_WORKFLOW_RUN) return this.start(call);
    const id = call.input['workflow_run_id'];
    const record =
      typeof id === 'string'
        ? await this.deps.store.resources.get<WorkflowRunDoc>('workflow_run', id)
        : undefined;
    if (!record || record.doc.session_id !== call.session.id)
      return text(`${call.entry.name}: no workflow run ${JSON.stringify(id)} in this session`, true);
    if (call.entry.name === STOP_WORKFLOW_RUN) {
      // On the row, not in memory: the node driving the run (any node of a fleet, or the one
      // resuming it after a crash) reads it at its next poll and ends the run 'stopped'.
      const at = toTimestamp(this.deps.clock.now());
      const stopped = await updateWorkflowRun(this.deps.store, record.id, (doc) => {
        if (doc.status === 'ended' || doc.stop_requested_at) return false;
        doc.stop_requested_at = at;
        return true;
      });
      if (stopped?.status === 'ended') return text(`workflow run ${record.id} has already ended`);
      return text(`Stopping workflow run ${record.id}; you will be told when it has ended.`);
    }
    return text(await this.describe(record.doc));
  }

  /** What check_workflow_run answers (also what the end-of-run notice says). */
  async describe(run: WorkflowRunDoc): Promise<string> {
    const spent = (await this.signals?.spentUsd(run)) ?? run.list_cost?.amount ?? null;
    const lines = [
      `workflow run ${run.id} (${run.name}): ${run.status}`,
      `threads: ${Object.keys(run.threads).length} (${Object.values(run.threads).join(', ') || 'none'})`,
      `spent: ${spent === null ? 'unknown' : `$${spent}`} of $${run.max_spend_usd}`,
      `phases: ${run.phases.map((phase) => phase.name).join(', ') || 'none'}`,
    ];
    if (run.logs.length > 0)
      lines.push('log (last 20):', ...run.logs.slice(-20).map((entry) => `  ${entry.message}`));
    if (run.result) lines.push(`result: ${JSON.stringify(run.result)}`);
    if (run.status === 'ended' && run.result?.type === 'completed')
      lines.push(`output: ${JSON.stringify(run.output)}`.slice(0, 20_000));
    return lines.join('\n');
  }

  private async start(call: ToolCall): Promise<ToolOutcome> {
    const { session, input } = call;
    const { limits, store, log, clock } = this.deps;
    const program = input['program'];
    if (typeof program !== 'string' || program.trim() === '')
      return text(`${START_WORKFLOW_RUN}: program must be a non-empty string`, true);
    if (Buffer.byteLength(program) > limits.maxProgramBytes)
      return text(`${START_WORKFLOW_RUN}: program is over ${limits.maxProgramBytes} bytes`, true);
    const phases = parsePhases(input['phases']);
    if (typeof phases === 'string') return text(`${START_WORKFLOW_RUN}: ${phases}`, true);
    const spend = parseSpend(input['max_spend_usd'], limits.maxSpendUsd);
    if (spend.error) return text(`${START_WORKFLOW_RUN}: ${spend.error}`, true);
    const open = await store.resources.list<WorkflowRunDoc>({
      kind: 'workflow_run',
      parentId: session.id,
      statuses: ['running'],
      order: 'asc',
      limit: limits.maxOpenRunsPerSession + 1,
    });
    if (open.items.length >= limits.maxOpenRunsPerSession) {
      const message = `the session already has ${open.items.length} open workflow runs (at most ${limits.maxOpenRunsPerSession})`;
      await log.append(
        session.id,
        [
          {
            type: 'workflow_run.error',
            workflow_run_id: null,
            error: { type: 'max_workflow_runs_error', message },
          },
        ],
        answerKey(call.toolUseId, 'workflow_run.error'),
      );
      return text(`${START_WORKFLOW_RUN}: no run was created: ${message}. Wait for one to end.`, true);
    }
    const id = this.deps.ids.next('workflowRun');
    const name =
      typeof input['name'] === 'string' && input['name'].trim() ? input['name'] : `workflow ${id.slice(-6)}`;
    const run: WorkflowRunDoc = {
      id,
      session_id: session.id,
      name,
      description: typeof input['description'] === 'string' ? input['description'] : null,
      phases: phases.map((phase, index) => ({ id: `${id}_phase_${index + 1}`, ...phase })),
      program,
      input: input['input'] ?? null,
      status: 'running',
      max_spend_usd: spend.usd,
      threads: {},
      logs: [],
      started_by: call.toolUseId,
      created_at: toTimestamp(clock.now()),
      ended_at: null,
      result: null,
      output: null,
      list_cost: null,
      stop_requested_at: null,
    };
    await store.resources.insert(workflowRunRecord(run));
    await log.append(
      session.id,
      [
        {
          type: 'workflow_run.created',
          workflow_run_id: id,
          name: run.name,
          description: run.description,
          phases: run.phases,
        },
      ],
      answerKey(call.toolUseId, 'workflow_run.created'),
    );
    this.signals?.started(id);
    return text(
      `Started workflow run ${id} (${run.name}). It runs in the background; you will get a system message ` +
        `when it ends. Use ${CHECK_WORKFLOW_RUN} to see its progress.`,
    );
  }
}

function parsePhases(value: unknown): Array<{ name: string; description: string | null }> | string {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 50)
    return 'phases must be a list of at most 50 {name, description}';
  const out: Array<{ name: string; description: string | null }> = [];
  for (const [index, phase] of value.entries()) {
    const name = (phase as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || name.trim() === '')
      return `phases[${index}].name must be a non-empty string`;
    if (out.some((other) => other.name === name))
      return `phases[${index}].name ${JSON.stringify(name)} is listed twice`;
    const description = (phase as { description?: unknown }).description;
    out.push({ name, description: typeof description === 'string' ? description : null });
  }
  return out;
}

function parseSpend(value: unknown, max: string): { usd: string; error?: string } {
  if (value === undefined || value === null) return { usd: max };
  try {
    const asked = usd(typeof value === 'number' ? String(value) : String(value));
    return asked > usd(max) ? { usd: max } : { usd: formatUsd(asked) };
  } catch {
    return { usd: max, error: 'max_spend_usd must be a non-negative decimal amount of USD' };
  }
}

/** A USD decimal (at most two places) as Money. */
export const usd = (value: string): Money => cents(value, 'usd') * 100n;
