import type { Env } from './config.js';
import { parsePositive } from './parse-env.js';

/** Webhook deliveries (docs/webhooks.md). */
export interface WebhookConfig {
  /** One delivery attempt's time limit (PADDOCK_WEBHOOK_TIMEOUT_MS, default 10 s). */
  timeoutMs: number;
  /** How often a node looks for due deliveries (PADDOCK_WEBHOOK_POLL_MS, default 1 s). */
  pollMs: number;
}

export function parseWebhookConfig(env: Env): WebhookConfig {
  return {
    timeoutMs: parsePositive(env, 'PADDOCK_WEBHOOK_TIMEOUT_MS', 10_000),
    pollMs: parsePositive(env, 'PADDOCK_WEBHOOK_POLL_MS', 1_000),
  };
}
