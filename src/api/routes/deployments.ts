import type { FastifyInstance } from 'fastify';
import {
  deploymentCreateSchema,
  deploymentListQuerySchema,
  deploymentRunListQuerySchema,
  deploymentUpdateSchema,
} from '../../core/deployments/deployment-schemas.js';
import { notFound } from '../../core/errors.js';
import type { AppContext } from '../context.js';
import { encodeCursor, pagingOf, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type DeploymentParams = { Params: { deployment_id: string } };
type RunParams = { Params: { deployment_run_id: string } };

/** /v1/deployments and /v1/deployment_runs (SDK: client.beta.deployments, client.beta.deploymentRuns). */
export function registerDeploymentRoutes(app: FastifyInstance, context: AppContext): void {
  const { deployments, deploymentRunner } = context;
  if (!deployments || !deploymentRunner) return;

  app.post('/v1/deployments', async (request) =>
    deployments.create(parseInput(deploymentCreateSchema, request.body)),
  );
  app.get<DeploymentParams>('/v1/deployments/:deployment_id', async (request) =>
    deployments.retrieve(request.params.deployment_id),
  );
  app.post<DeploymentParams>('/v1/deployments/:deployment_id', async (request) =>
    deployments.update(request.params.deployment_id, parseInput(deploymentUpdateSchema, request.body ?? {})),
  );
  app.get('/v1/deployments', async (request) => {
    const query = parseInput(deploymentListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await deployments.list({
      limit,
      cursor,
      agentId: query.agent_id,
      status: query.status,
      includeArchived: query.include_archived,
      createdAt: query.created_at,
    });
    return toPageCursor(page, cursor, (record) => record.doc);
  });
  app.post<DeploymentParams>('/v1/deployments/:deployment_id/archive', async (request) =>
    deployments.archive(request.params.deployment_id),
  );
  app.post<DeploymentParams>('/v1/deployments/:deployment_id/pause', async (request) =>
    deployments.pause(request.params.deployment_id),
  );
  app.post<DeploymentParams>('/v1/deployments/:deployment_id/unpause', async (request) =>
    deployments.unpause(request.params.deployment_id),
  );
  app.post<DeploymentParams>('/v1/deployments/:deployment_id/run', async (request) =>
    deploymentRunner.runNow(request.params.deployment_id),
  );

  app.get<RunParams>('/v1/deployment_runs/:deployment_run_id', async (request) => {
    const row = await context.deploymentRuns?.get(request.params.deployment_run_id);
    if (!row) throw notFound('Deployment run', request.params.deployment_run_id);
    return row.doc;
  });
  app.get('/v1/deployment_runs', async (request) => {
    const query = parseInput(deploymentRunListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const rows =
      (await context.deploymentRuns?.list({
        deploymentId: query.deployment_id,
        triggerType: query.trigger_type,
        hasError: query.has_error,
        createdAt: query.created_at,
        before: cursor,
        limit: limit + 1,
      })) ?? [];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((row) => row.doc),
      next_page: rows.length > limit && last ? encodeCursor(last, 'next') : null,
    };
  });
}
