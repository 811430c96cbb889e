import type { FastifyInstance } from 'fastify';
import { usageReportQuerySchema } from '../../core/schemas/metering.js';
import type { AppContext } from '../context.js';
import { parseInput } from '../validation.js';

/** Cost and usage reports (Paddock's own endpoints; fields in docs/metering.md). */
export function registerMeteringRoutes(app: FastifyInstance, context: AppContext): void {
  const { metering } = context;

  app.get<{ Params: { session_id: string } }>('/v1/sessions/:session_id/cost', async (request) =>
    metering.sessionCost(request.params.session_id),
  );

  app.get('/v1/usage_report', async (request, reply) => {
    const query = parseInput(usageReportQuerySchema, request.query, 'query');
    const report = await metering.usageReport(query);
    if (query.format !== 'csv') return report;
    return reply.header('content-type', 'text/csv; charset=utf-8').send(metering.usageReportCsv(report));
  });
}
