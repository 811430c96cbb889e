const REDACTED = '[redacted]';

/**
 * Removes known secret values from text bound for events, logs, the model or
 * a client. Error messages from HTTP stacks can echo request headers or
 * bodies, so every message that may quote one goes through here. Values
 * shorter than `minLength` are left alone (too short to tell from ordinary
 * words; each caller knows what its secrets look like).
 */
export function scrubSecrets(text: string, secrets: Iterable<string>, minLength = 4): string {
  let out = text;
  // Longest first, so a secret containing another is removed whole.
  const values = [...new Set(secrets)]
    .filter((value) => value.length >= minLength)
    .sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(REDACTED);
  return out;
}
