import type { Command } from 'commander';
import { withClientOptions } from './connect.js';
import { type Column, printJson, printTable } from './output.js';
import { clientAction, type ExitCode } from './resource-commands.js';

type Options = Record<string, unknown> & { json?: boolean };
type Row = Record<string, unknown>;

const DEPLOYMENT_COLUMNS: Column[] = [
  { header: 'id', value: (row) => row['id'] },
  { header: 'name', value: (row) => row['name'] },
  { header: 'status', value: (row) => (row['archived_at'] ? 'archived' : row['status']) },
  {
    header: 'schedule',
    value: (row) => {
      const schedule = row['schedule'] as { expression: string; timezone: string } | null;
      return schedule ? `${schedule.expression} (${schedule.timezone})` : 'manual';
    },
  },
  {
    header: 'next_run_at',
    value: (row) => (row['schedule'] as { upcoming_runs_at?: string[] } | null)?.upcoming_runs_at?.[0] ?? '',
  },
];
const RUN_COLUMNS: Column[] = [
  { header: 'id', value: (row) => row['id'] },
  { header: 'trigger', value: (row) => (row['trigger_context'] as { type: string }).type },
  { header: 'status', value: (row) => row['status'] },
  { header: 'session', value: (row) => row['session_id'] ?? '' },
  {
    header: 'reason',
    value: (row) => row['status_reason'] ?? (row['error'] as { type?: string } | null)?.type ?? '',
  },
  { header: 'created_at', value: (row) => row['created_at'] },
];

/** `paddock deployments list|run|runs`: the SDK's deployments and deployment runs (docs/deployments.md). */
export function registerDeploymentCommands(program: Command, exit: ExitCode): Command {
  const group = program.command('deployments').description('list and run deployments on a Paddock server');

  withClientOptions(group.command('list').description('list deployments'))
    .option('--include-archived', 'include archived deployments')
    .action(
      clientAction(exit, async ({ client }, options: Options) => {
        const page = await client.beta.deployments.list({
          limit: 100,
          ...(options['includeArchived'] ? { include_archived: true } : {}),
        });
        const rows = page.data as unknown as Row[];
        if (options.json) printJson(rows);
        else printTable(rows, DEPLOYMENT_COLUMNS);
      }),
    );
  withClientOptions(
    group.command('run').argument('<id>').description('run a deployment now (even while paused)'),
  ).action(
    clientAction(exit, async ({ client }, options: Options, id = '') => {
      const run = await client.beta.deployments.run(id);
      if (options.json) printJson(run);
      else if (run.error)
        process.stdout.write(`run ${run.id} failed: ${run.error.type}: ${run.error.message}\n`);
      else process.stdout.write(`started run ${run.id}: session ${run.session_id}\n`);
    }),
  );
  withClientOptions(group.command('runs').argument('<id>').description("a deployment's runs, newest first"))
    .option('--limit <n>', 'how many (at most 100)', '20')
    .action(
      clientAction(exit, async ({ client }, options: Options, id = '') => {
        const page = await client.beta.deploymentRuns.list({
          deployment_id: id,
          limit: Number(options['limit']),
        });
        const rows = page.data as unknown as Row[];
        if (options.json) printJson(rows);
        else printTable(rows, RUN_COLUMNS);
      }),
    );
  return group;
}
