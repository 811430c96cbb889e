import type { Kysely, Selectable } from 'kysely';
import type { DeploymentRun, RunStatus } from '../../core/deployments/deployment.js';
import type {
  DeploymentRunQuery,
  DeploymentRunRepository,
  DeploymentRunRow,
} from '../../core/ports/deployment-run-store.js';
import { confinedWorkspace } from '../../core/workspaces/workspace-scope.js';
import type { Database } from './schema.js';

type Row = Selectable<Database['deployment_runs']>;

const fromRow = (row: Row): DeploymentRunRow => ({
  id: row.id,
  deploymentId: row.deployment_id,
  workspaceId: row.workspace_id,
  triggerType: row.trigger_type as DeploymentRunRow['triggerType'],
  scheduledAt: row.scheduled_at,
  sessionId: row.session_id,
  status: row.status as RunStatus,
  hasError: Number(row.has_error) === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  doc: JSON.parse(row.doc) as DeploymentRun,
});

const toRow = (row: DeploymentRunRow): Row => ({
  id: row.id,
  deployment_id: row.deploymentId,
  workspace_id: row.workspaceId,
  trigger_type: row.triggerType,
  scheduled_at: row.scheduledAt,
  session_id: row.sessionId,
  status: row.status,
  has_error: row.hasError ? 1 : 0,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
  doc: JSON.stringify(row.doc),
});

/** Reads see only the caller's workspace when it is confined (as resource rows do). */
export class KyselyDeploymentRunRepository implements DeploymentRunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private select() {
    const workspaceId = confinedWorkspace();
    const query = this.db.selectFrom('deployment_runs').selectAll();
    return workspaceId === undefined ? query : query.where('workspace_id', '=', workspaceId);
  }

  async insert(row: DeploymentRunRow): Promise<boolean> {
    const result = await this.db
      .insertInto('deployment_runs')
      .values(toRow(row))
      .onConflict((conflict) => conflict.columns(['deployment_id', 'scheduled_at']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async get(id: string): Promise<DeploymentRunRow | undefined> {
    const row = await this.select().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async update(row: DeploymentRunRow, expectedStatus: RunStatus): Promise<boolean> {
    const { id: _id, ...values } = toRow(row);
    const result = await this.db
      .updateTable('deployment_runs')
      .set(values)
      .where('id', '=', row.id)
      .where('status', '=', expectedStatus)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async list(query: DeploymentRunQuery): Promise<DeploymentRunRow[]> {
    let q = this.select();
    if (query.deploymentId !== undefined) q = q.where('deployment_id', '=', query.deploymentId);
    if (query.triggerType !== undefined) q = q.where('trigger_type', '=', query.triggerType);
    if (query.hasError !== undefined) q = q.where('has_error', '=', query.hasError ? 1 : 0);
    const range = query.createdAt;
    if (range?.gt !== undefined) q = q.where('created_at', '>', range.gt);
    if (range?.gte !== undefined) q = q.where('created_at', '>=', range.gte);
    if (range?.lt !== undefined) q = q.where('created_at', '<', range.lt);
    if (range?.lte !== undefined) q = q.where('created_at', '<=', range.lte);
    const before = query.before;
    if (before !== undefined)
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '<', before.createdAt),
          eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
        ]),
      );
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(fromRow);
  }

  async latest(
    deploymentId: string,
    options: { statuses?: readonly RunStatus[]; triggerType?: 'schedule' | 'manual' },
  ): Promise<DeploymentRunRow | undefined> {
    let q = this.db.selectFrom('deployment_runs').selectAll().where('deployment_id', '=', deploymentId);
    if (options.statuses !== undefined) q = q.where('status', 'in', [...options.statuses]);
    if (options.triggerType !== undefined) q = q.where('trigger_type', '=', options.triggerType);
    const row = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row && fromRow(row);
  }

  async listByStatus(status: RunStatus, limit: number): Promise<DeploymentRunRow[]> {
    const rows = await this.db
      .selectFrom('deployment_runs')
      .selectAll()
      .where('status', '=', status)
      .orderBy('created_at', 'asc')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }
}
