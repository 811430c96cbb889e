import { Webhook } from 'standardwebhooks';
import type { WebhookSigner } from '../core/ports/webhook-signer.js';

/**
 * The SDK's `client.beta.webhooks.unwrap` verifies with `standardwebhooks`; signing with the
 * same package keeps both sides of the scheme one implementation (decision 0018).
 */
export const standardWebhooksSigner: WebhookSigner = (secret, messageId, timestamp, body) =>
  new Webhook(secret).sign(messageId, timestamp, body);
