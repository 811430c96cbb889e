import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

type IdParams = { Params: { environment_id: string } };

/**
 * A Paddock extension (the SDK's Environment has no build field): the package build of the
 * environment's current config, `{status: pending|building|ready|failed, log_tail, updated_at}`.
 */
export function registerEnvironmentBuildRoutes(
  app: FastifyInstance,
  { environments, environmentBuilds }: AppContext,
): void {
  app.get<IdParams>('/v1/environments/:environment_id/build', async (request) => {
    // Read in the caller's scope first: another workspace's environment is a 404 like a missing one.
    const environment = await environments.getDocument(request.params.environment_id);
    const build = environmentBuilds
      ? await environmentBuilds.status(environment)
      : { status: 'ready', log_tail: '', updated_at: null };
    return { type: 'environment_build', environment_id: environment.id, ...build };
  });
}
