import type { ResourceKind } from '../ports/store.js';

/**
 * Every event type of the SDK's `BetaWebhookEventData` union (SDK 1.10.0,
 * resources/beta/webhooks.d.ts): what an endpoint's `enabled_events` may list.
 */
export const WEBHOOK_EVENT_TYPES = [
  'agent.created',
  'agent.updated',
  'agent.archived',
  'agent.deleted',
  'deployment.created',
  'deployment.updated',
  'deployment.paused',
  'deployment.unpaused',
  'deployment.archived',
  'deployment.deleted',
  'deployment_run.started',
  'deployment_run.succeeded',
  'deployment_run.failed',
  'environment.created',
  'environment.updated',
  'environment.archived',
  'environment.deleted',
  'memory_store.created',
  'memory_store.archived',
  'memory_store.deleted',
  'session.created',
  'session.updated',
  'session.archived',
  'session.deleted',
  'session.pending',
  'session.running',
  'session.idled',
  'session.requires_action',
  'session.status_run_started',
  'session.status_idled',
  'session.status_rescheduled',
  'session.status_terminated',
  'session.thread_created',
  'session.thread_idled',
  'session.thread_terminated',
  'session.budget_reached',
  'session.outcome_evaluation_ended',
  'vault.created',
  'vault.archived',
  'vault.deleted',
  'vault_credential.created',
  'vault_credential.archived',
  'vault_credential.deleted',
  'vault_credential.refresh_failed',
  'external_key.failed',
  'external_key.recovered',
  'user_profile.enforcement_action_opened',
  'user_profile.enforcement_action_resolved',
  'user_profile.program_status_updated',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const KNOWN = new Set<string>(WEBHOOK_EVENT_TYPES);
export const isWebhookEventType = (type: string): type is WebhookEventType => KNOWN.has(type);

/** Paddock has one organization; deliveries name it this way (the SDK's `organization_id`). */
export const PADDOCK_ORGANIZATION_ID = 'org_paddock';

/** The webhook family of each resource kind that has created / archived / deleted events. */
export const RESOURCE_FAMILIES: Partial<Record<ResourceKind, { prefix: string; updated: boolean }>> = {
  agent: { prefix: 'agent', updated: true },
  environment: { prefix: 'environment', updated: true },
  vault: { prefix: 'vault', updated: false },
  credential: { prefix: 'vault_credential', updated: false },
  memory_store: { prefix: 'memory_store', updated: false },
  // session.updated comes from the log's `session.updated` (a record update is mostly projection).
  session: { prefix: 'session', updated: false },
};

/** A logged session event, as far as the mapping below reads it. */
export interface LoggedSessionEvent {
  type: string;
  session_thread_id?: string | null | undefined;
  stop_reason?: { type: string } | undefined;
}

/** The webhook events one session log event stands for (with the thread's id for thread events). */
export function webhookTypesOfSessionEvent(
  event: LoggedSessionEvent,
): Array<{ type: WebhookEventType; threadId?: string }> {
  const thread = event.session_thread_id ?? undefined;
  switch (event.type) {
    case 'session.status_running':
      return [{ type: 'session.status_run_started' }];
    case 'session.status_idle': {
      const reason = event.stop_reason?.type;
      const out: Array<{ type: WebhookEventType }> = [{ type: 'session.status_idled' }];
      if (reason === 'requires_action') out.push({ type: 'session.requires_action' });
      if (reason === 'budget_reached') out.push({ type: 'session.budget_reached' });
      return out;
    }
    case 'session.status_rescheduled':
      return [{ type: 'session.status_rescheduled' }];
    case 'session.status_terminated':
      return [{ type: 'session.status_terminated' }];
    case 'session.updated':
      return [{ type: 'session.updated' }];
    case 'session.deleted':
      return [{ type: 'session.deleted' }];
    case 'session.thread_created':
      return thread ? [{ type: 'session.thread_created', threadId: thread }] : [];
    case 'session.thread_status_idle':
      return thread ? [{ type: 'session.thread_idled', threadId: thread }] : [];
    case 'session.thread_status_terminated':
      return thread ? [{ type: 'session.thread_terminated', threadId: thread }] : [];
    // Every verdict (docs/outcomes.md), intermediate `needs_revision` included: the SDK's event has no result.
    case 'span.outcome_evaluation_end':
      return [{ type: 'session.outcome_evaluation_ended' }];
    default:
      return [];
  }
}
