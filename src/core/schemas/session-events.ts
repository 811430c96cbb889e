import { z } from 'zod';
import { pageQuerySchema, timeRangeQuery } from './common.js';

/** Request schemas for POST/GET /v1/sessions/{id}/events (spec §4.1). */

export const textBlockSchema = z.strictObject({
  type: z.literal('text'),
  text: z.string({ error: 'expected a string' }).min(1, 'text must not be empty'),
});

const imageBlockSchema = z.strictObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('base64'), data: z.string().min(1), media_type: z.string().min(1) }),
    z.strictObject({ type: z.literal('url'), url: z.url() }),
    z.strictObject({ type: z.literal('file'), file_id: z.string().min(1) }),
  ]),
});

const documentBlockSchema = z.strictObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('base64'), data: z.string().min(1), media_type: z.string().min(1) }),
    z.strictObject({ type: z.literal('text'), data: z.string(), media_type: z.literal('text/plain') }),
    z.strictObject({ type: z.literal('url'), url: z.url() }),
    z.strictObject({ type: z.literal('file'), file_id: z.string().min(1) }),
  ]),
  title: z.string().nullish(),
  context: z.string().nullish(),
});

const searchResultBlockSchema = z.strictObject({
  type: z.literal('search_result'),
  source: z.string(),
  title: z.string(),
  content: z.array(textBlockSchema),
  citations: z.strictObject({ enabled: z.boolean() }).optional(),
});

const messageContent = z
  .array(z.discriminatedUnion('type', [textBlockSchema, imageBlockSchema, documentBlockSchema]))
  .min(1, 'content must hold at least one block');

const toolResultContent = z
  .array(
    z.discriminatedUnion('type', [
      textBlockSchema,
      imageBlockSchema,
      documentBlockSchema,
      searchResultBlockSchema,
    ]),
  )
  .optional();

const userMessage = z.strictObject({ type: z.literal('user.message'), content: messageContent });

const defineOutcome = z.strictObject({
  type: z.literal('user.define_outcome'),
  description: z.string().min(1, 'description must not be empty'),
  rubric: z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('text'),
      content: z.string().min(1).max(262_144, 'a text rubric is at most 262144 characters'),
    }),
    z.strictObject({ type: z.literal('file'), file_id: z.string().min(1) }),
  ]),
  max_iterations: z.number().int().min(1).max(20, 'max_iterations is at most 20').nullish(),
});

export const clientEventSchema = z.discriminatedUnion('type', [
  userMessage,
  z.strictObject({ type: z.literal('user.interrupt'), session_thread_id: z.string().min(1).nullish() }),
  z.strictObject({
    type: z.literal('user.tool_confirmation'),
    tool_use_id: z.string().min(1),
    result: z.enum(['allow', 'deny']),
    deny_message: z.string().nullish(),
  }),
  z.strictObject({
    type: z.literal('user.custom_tool_result'),
    custom_tool_use_id: z.string().min(1),
    content: toolResultContent,
    is_error: z.boolean().nullish(),
  }),
  z.strictObject({
    type: z.literal('user.tool_result'),
    tool_use_id: z.string().min(1),
    content: toolResultContent,
    is_error: z.boolean().nullish(),
  }),
  defineOutcome,
  z.strictObject({ type: z.literal('system.message'), content: z.array(textBlockSchema).min(1) }),
]);
export type ClientEventInput = z.infer<typeof clientEventSchema>;

export const initialEventSchema = z.discriminatedUnion('type', [userMessage, defineOutcome]);
export type InitialEventInput = z.infer<typeof initialEventSchema>;

export const sendEventsSchema = z.strictObject({
  events: z.array(clientEventSchema).min(1, 'send at least one event').max(50, 'at most 50 events'),
});

const typeList = z.union([z.string().transform((v) => [v]), z.array(z.string())]);

export const eventListQuerySchema = z.strictObject({
  limit: pageQuerySchema.limit,
  page: pageQuerySchema.page,
  order: z.enum(['asc', 'desc']).optional(),
  types: typeList.optional(),
  created_at: timeRangeQuery,
});

const deltaType = z.enum(['agent.message', 'agent.thinking']);

export const eventStreamQuerySchema = z.strictObject({
  event_deltas: z.union([deltaType.transform((v) => [v]), z.array(deltaType)]).optional(),
  last_event_id: z.string().min(1).optional(),
});
