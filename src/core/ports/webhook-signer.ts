/**
 * Signs one webhook delivery the Standard Webhooks way: returns the `webhook-signature` header
 * (`v1,<base64 HMAC-SHA256>` over `id.timestamp.body` with the key after `whsec_`).
 * Implemented by src/webhook-signing/ over the `standardwebhooks` package the SDK verifies with.
 */
export type WebhookSigner = (secret: string, messageId: string, timestamp: Date, body: string) => string;
