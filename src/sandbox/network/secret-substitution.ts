import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { SandboxSecret } from '../../core/ports/sandbox.js';
import { scrubSecrets } from '../../core/secret-scrub.js';
import { type BodyReservation, BudgetExhausted } from './body-budget.js';
import { hostMatches, normalizeHostName, parseHostPattern } from './egress-policy.js';

/** Bodies are buffered to substitute in them; larger ones are refused rather than sent with a placeholder. */
export const MAX_SUBSTITUTED_BODY_BYTES = 10 * 1024 * 1024;

/**
 * The secrets substituted in requests to `host`: a secret applies when one of
 * its hosts matches exactly (names case-insensitively, a trailing dot
 * ignored), or as `*.suffix` for any subdomain (not the apex).
 */
export function secretsForHost(secrets: readonly SandboxSecret[], host: string): SandboxSecret[] {
  const name = normalizeHostName(host);
  return secrets.filter(
    (secret) =>
      secret.hosts === 'any' || secret.hosts.some((pattern) => hostMatches(parseHostPattern(pattern), name)),
  );
}

/** Replaces every placeholder in `text` by its value. */
export function substituteText(text: string, secrets: readonly SandboxSecret[]): string {
  let out = text;
  for (const secret of secrets)
    if (out.includes(secret.placeholder)) out = out.split(secret.placeholder).join(secret.value);
  return out;
}

/** Header values with placeholders replaced, for the secrets that allow header substitution. */
export function substituteHeaders(
  headers: IncomingHttpHeaders,
  secrets: readonly SandboxSecret[],
): IncomingHttpHeaders {
  const applying = secrets.filter((secret) => secret.header);
  if (applying.length === 0) return headers;
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value)
      ? value.map((entry) => substituteText(entry, applying))
      : substituteText(value, applying);
  }
  return out;
}

/** A body with placeholders replaced (a Buffer: bodies need not be text; placeholders are ASCII). */
export function substituteBody(body: Buffer, secrets: readonly SandboxSecret[]): Buffer {
  let out = body;
  for (const secret of secrets) {
    if (!secret.body) continue;
    const placeholder = Buffer.from(secret.placeholder);
    let index = out.indexOf(placeholder);
    if (index < 0) continue;
    const value = Buffer.from(secret.value);
    const parts: Buffer[] = [];
    let from = 0;
    while (index >= 0) {
      parts.push(out.subarray(from, index), value);
      from = index + placeholder.length;
      index = out.indexOf(placeholder, from);
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

export class BodyTooLarge extends Error {
  constructor() {
    super(
      `request body larger than ${MAX_SUBSTITUTED_BODY_BYTES} bytes: secrets are substituted only in smaller bodies`,
    );
  }
}

/**
 * Reads a whole request body, refusing one larger than the cap, or one the
 * sandbox's body budget has no room for, before buffering it all.
 */
export async function readBody(
  stream: Readable,
  cap = MAX_SUBSTITUTED_BODY_BYTES,
  budget?: { reservation: BodyReservation; limitBytes: number },
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > cap) throw new BodyTooLarge();
    if (budget && !budget.reservation.grow(size)) throw new BudgetExhausted(budget.limitBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Removes secret values from text bound for logs or a response (an upstream error may quote a request). */
export function scrubSecretValues(text: string, secrets: readonly SandboxSecret[]): string {
  // Every value, however short: these are the exact strings the proxy put into requests.
  return scrubSecrets(
    text,
    secrets.map((secret) => secret.value),
    1,
  );
}
