import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types.js';

/** Limits as the SDK's docs give them (32 endpoints) or Paddock sets them (text sizes). */
export const WEBHOOK_LIMITS = {
  endpointsPerWorkspace: 32,
  nameChars: 255,
  descriptionChars: 1024,
  urlChars: 2048,
} as const;

const eventType = z.enum(WEBHOOK_EVENT_TYPES, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a webhook event type (the SDK's BetaWebhookEventData types, e.g. "session.status_idled")`,
});
const url = z.string().min(1, 'url must not be empty').max(WEBHOOK_LIMITS.urlChars);
const name = z.string().max(WEBHOOK_LIMITS.nameChars);
const description = z.string().max(WEBHOOK_LIMITS.descriptionChars);

export const webhookCreateSchema = z.strictObject({
  url,
  enabled_events: z.array(eventType).min(1, 'enabled_events must list at least one event type'),
  name: name.optional(),
  description: description.optional(),
});
export type WebhookCreateInput = z.output<typeof webhookCreateSchema>;

export const webhookUpdateSchema = z.strictObject({
  url: url.optional(),
  /** Replaces the set; an empty list leaves it unchanged (the SDK's docs). */
  enabled_events: z.array(eventType).optional(),
  name: name.optional(),
  description: description.optional(),
  state: z.enum(['enabled', 'disabled']).optional(),
});
export type WebhookUpdateInput = z.output<typeof webhookUpdateSchema>;

export const webhookListQuerySchema = z.object({
  before_id: z.string().optional(),
  after_id: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

export const deliveryListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  /** Continue after this delivery (the previous page's `last_id`). */
  after_id: z.string().optional(),
});
