/**
 * Where the core reports things that webhook endpoints may subscribe to
 * (the SDK's `BetaWebhookEventData` union: `agent.created`, `deployment_run.failed`,
 * `session.status_idled`, ...). The webhooks family implements it durably (an outbox in
 * the database, so a `kill -9` of the publishing node loses nothing); publishing must
 * be cheap and never throw into the caller's request or turn.
 */
export interface WebhookEventInput {
  /** The SDK's event data type, e.g. `deployment_run.failed`. */
  type: string;
  /** ID of the resource that triggered the event (a deployment run, a session, ...). */
  id: string;
  workspaceId: string;
  /** Further data fields the SDK declares for this type (e.g. a session thread's ids). */
  fields?: Record<string, unknown>;
}

export interface WebhookOutbox {
  publish(event: WebhookEventInput): Promise<void>;
}

/** Until webhooks are wired (and in tests that do not need them). */
export const noWebhookOutbox: WebhookOutbox = { publish: async () => {} };
