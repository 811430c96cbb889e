const REDACTED = '[redacted]';

/**
 * Removes known secret values from text bound for events, logs or the model.
 * Error messages from HTTP stacks can echo request headers or bodies; every
 * message that leaves the MCP adapter goes through here.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  // Longest first, so a secret containing another is removed whole.
  const values = [...new Set(secrets)]
    .filter((value) => value.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(REDACTED);
  return out;
}
