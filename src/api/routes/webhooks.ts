import type { FastifyInstance } from 'fastify';
import {
  deliveryListQuerySchema,
  webhookCreateSchema,
  webhookListQuerySchema,
  webhookUpdateSchema,
} from '../../core/webhooks/webhook-schemas.js';
import type { AppContext } from '../context.js';
import { parseInput } from '../validation.js';
import { listPage } from './id-page.js';

type EndpointParams = { Params: { webhook_endpoint_id: string } };
type DeliveryParams = { Params: { webhook_endpoint_id: string; delivery_id: string } };

/**
 * Webhook endpoints as the SDK registers them (`client.beta.organization.webhooks`), each in
 * the caller's workspace, plus Paddock's delivery log and manual redelivery (docs/webhooks.md).
 */
export function registerWebhookRoutes(app: FastifyInstance, context: AppContext): void {
  const { webhooks } = context;
  const base = '/v1/organizations/webhooks';

  app.post(base, async (request) => webhooks.create(parseInput(webhookCreateSchema, request.body)));
  app.get<EndpointParams>(`${base}/:webhook_endpoint_id`, async (request) =>
    webhooks.retrieve(request.params.webhook_endpoint_id),
  );
  app.post<EndpointParams>(`${base}/:webhook_endpoint_id`, async (request) =>
    webhooks.update(request.params.webhook_endpoint_id, parseInput(webhookUpdateSchema, request.body ?? {})),
  );
  app.get(base, async (request) => {
    const query = parseInput(webhookListQuerySchema, request.query, 'query');
    return listPage(await webhooks.list(query.order ?? 'desc'), query);
  });
  app.delete<EndpointParams>(`${base}/:webhook_endpoint_id`, async (request) =>
    webhooks.delete(request.params.webhook_endpoint_id),
  );
  app.post<EndpointParams>(`${base}/:webhook_endpoint_id/regenerate_signing_secret`, async (request) =>
    webhooks.regenerateSecret(request.params.webhook_endpoint_id),
  );

  // Paddock extension: the delivery log and manual redelivery.
  app.get<EndpointParams>(`${base}/:webhook_endpoint_id/deliveries`, async (request) => {
    const query = parseInput(deliveryListQuerySchema, request.query, 'query');
    return webhooks.deliveries(request.params.webhook_endpoint_id, query.limit ?? 20, query.after_id);
  });
  app.post<DeliveryParams>(
    `${base}/:webhook_endpoint_id/deliveries/:delivery_id/redeliver`,
    async (request) => webhooks.redeliver(request.params.webhook_endpoint_id, request.params.delivery_id),
  );
}
