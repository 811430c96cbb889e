import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallerCredential } from '../core/credentials.js';
import type { IdempotencyService } from '../core/idempotency/idempotency-service.js';

/** Requests that claimed their key and still owe it a response. */
const claimed = new WeakMap<FastifyRequest, { scope: string; key: string }>();

/**
 * `Idempotency-Key` on POSTs (core/idempotency/idempotency-service.ts decides): a retry of the
 * same request gets the first response again (with `idempotent-replayed: true`), another request
 * under the same key a 422, a retry while the first runs a retryable 409. Responses of 5xx are not
 * kept, so a retry after a server failure runs again. Uploads (multipart) ignore the header: their
 * bodies are streamed, not hashed.
 */
export function registerIdempotency(app: FastifyInstance, idempotency: IdempotencyService): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || request.credential === undefined) return;
    if (request.headers['content-type']?.startsWith('multipart/')) return;
    const scope = scopeOf(request.credential);
    const outcome = await idempotency.begin({
      scope,
      key,
      method: request.method,
      path: request.url,
      body: request.body,
    });
    if (outcome.kind === 'replay') {
      return reply
        .code(outcome.status)
        .header('content-type', 'application/json; charset=utf-8')
        .header('idempotent-replayed', 'true')
        .send(outcome.body);
    }
    claimed.set(request, { scope, key });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = claimed.get(request);
    if (!claim) return payload;
    claimed.delete(request);
    if (reply.statusCode >= 500 || typeof payload !== 'string')
      await idempotency.release(claim.scope, claim.key);
    else await idempotency.complete(claim.scope, claim.key, reply.statusCode, payload);
    return payload;
  });

  // The response never went out (the client went away mid-request): free the key for a retry.
  app.addHook('onResponse', async (request) => {
    const claim = claimed.get(request);
    if (!claim) return;
    claimed.delete(request);
    await idempotency.release(claim.scope, claim.key);
  });
}

function scopeOf(credential: CallerCredential): string {
  switch (credential.kind) {
    case 'api_key':
      return `api_key:${credential.keyId}`;
    case 'environment':
      return `environment:${credential.environmentId}`;
    case 'session':
      return `session:${credential.sessionId}`;
  }
}
