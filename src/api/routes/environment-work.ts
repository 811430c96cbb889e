import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  environmentKeyCreateSchema,
  workHeartbeatQuerySchema,
  workListQuerySchema,
  workPollQuerySchema,
  workStopSchema,
  workUpdateSchema,
} from '../../core/schemas/work.js';
import { toWire } from '../../core/work/work.js';
import { access } from '../access.js';
import type { AppContext } from '../context.js';
import { pagingOf, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type EnvironmentParams = { Params: { environment_id: string } };
type WorkParams = { Params: { environment_id: string; work_id: string } };
type KeyParams = { Params: { environment_id: string; key_id: string } };

/** Who may call what (spec §6.1). */
const WORKER = access(['environment'], 'environment');
const WORKER_ON_ITEM = access(['environment', 'session'], 'work');
const ANYONE_ON_ITEM = access(['api_key', 'environment', 'session'], 'work');

/** The self-hosted work queue (spec §6) and Paddock's environment-key issuance. */
export function registerEnvironmentWorkRoutes(
  app: FastifyInstance,
  { work, environmentKeys }: AppContext,
): void {
  const base = '/v1/environments/:environment_id';

  // Environment keys: API keys only (the default), shown once.
  app.post<EnvironmentParams>(`${base}/keys`, async (request) => {
    const input = parseInput(environmentKeyCreateSchema, request.body ?? {});
    const { record, key } = await environmentKeys.create(request.params.environment_id, input.name);
    return { ...record, key };
  });
  app.get<EnvironmentParams>(`${base}/keys`, async (request) => ({
    data: await environmentKeys.list(request.params.environment_id),
    next_page: null,
  }));
  app.delete<KeyParams>(`${base}/keys/:key_id`, async (request) =>
    environmentKeys.revoke(request.params.environment_id, request.params.key_id),
  );

  app.get<EnvironmentParams>(`${base}/work/poll`, WORKER, async (request, reply) => {
    const query = parseInput(workPollQuerySchema, request.query, 'query');
    const header = request.headers['anthropic-worker-id'];
    const item = await work.poll(request.params.environment_id, {
      blockMs: query.block_ms,
      reclaimOlderThanMs: query.reclaim_older_than_ms,
      workerId: typeof header === 'string' && header !== '' ? header : undefined,
    });
    return item ?? sendJsonNull(reply);
  });

  app.get<EnvironmentParams>(`${base}/work/stats`, async (request) =>
    work.stats(request.params.environment_id),
  );

  app.get<EnvironmentParams>(`${base}/work`, WORKER, async (request) => {
    const query = parseInput(workListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await work.list(request.params.environment_id, { limit, cursor });
    return toPageCursor(page, cursor, (record) => toWire(record.doc));
  });

  app.post<WorkParams>(`${base}/work/:work_id/ack`, WORKER, async (request) =>
    work.ack(request.params.environment_id, request.params.work_id),
  );

  app.post<WorkParams>(`${base}/work/:work_id/heartbeat`, WORKER_ON_ITEM, async (request) => {
    const query = parseInput(workHeartbeatQuerySchema, request.query, 'query');
    return work.heartbeat(request.params.environment_id, request.params.work_id, {
      expectedLastHeartbeat: query.expected_last_heartbeat,
      desiredTtlSeconds: query.desired_ttl_seconds,
    });
  });

  app.post<WorkParams>(`${base}/work/:work_id/stop`, ANYONE_ON_ITEM, async (request) => {
    const input = parseInput(workStopSchema, request.body ?? {});
    return work.stop(request.params.environment_id, request.params.work_id, input.force ?? false);
  });

  app.get<WorkParams>(`${base}/work/:work_id`, async (request) =>
    work.retrieve(request.params.environment_id, request.params.work_id),
  );

  app.post<WorkParams>(`${base}/work/:work_id`, async (request) => {
    const input = parseInput(workUpdateSchema, request.body ?? {});
    return work.updateMetadata(request.params.environment_id, request.params.work_id, input.metadata);
  });
}

/** "No work": a JSON `null` the SDK parses as null (a bare 204 would work too). */
function sendJsonNull(reply: FastifyReply): FastifyReply {
  return reply.type('application/json').send('null');
}
