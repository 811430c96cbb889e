import type { Env } from './config.js';
import { parsePositive } from './parse-env.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Webhook deliveries (docs/webhooks.md). */
export interface WebhookConfig {
  /** One delivery attempt's time limit (PADDOCK_WEBHOOK_TIMEOUT_MS, default 10 s). */
  timeoutMs: number;
  /** How often a node looks for due deliveries (PADDOCK_WEBHOOK_POLL_MS, default 1 s). */
  pollMs: number;
  /**
   * Succeeded and failed deliveries, their attempt logs and their events are removed this long
   * after their last change (PADDOCK_WEBHOOK_RETENTION_DAYS, default 30; 0 keeps them forever).
   * Absent: the default.
   */
  retentionMs?: number | undefined;
}

export const DEFAULT_WEBHOOK_RETENTION_DAYS = 30;

export function parseWebhookConfig(env: Env): WebhookConfig {
  return {
    timeoutMs: parsePositive(env, 'PADDOCK_WEBHOOK_TIMEOUT_MS', 10_000),
    pollMs: parsePositive(env, 'PADDOCK_WEBHOOK_POLL_MS', 1_000),
    retentionMs:
      parsePositive(env, 'PADDOCK_WEBHOOK_RETENTION_DAYS', DEFAULT_WEBHOOK_RETENTION_DAYS) * DAY_MS,
  };
}

/** The retention in force: the configured one, else the default (a test's override may omit it). */
export const webhookRetentionMs = (config: WebhookConfig): number =>
  config.retentionMs ?? DEFAULT_WEBHOOK_RETENTION_DAYS * DAY_MS;
