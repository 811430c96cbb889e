import { createHash } from 'node:crypto';
import type { SandboxSecret } from '../ports/sandbox.js';
import type { ResolvedCredential } from './vault.js';

/**
 * The session's `environment_variable` credentials as sandbox secrets, in
 * vault order: when two vaults define the same variable, the first vault
 * wins (as MCP credential matching does).
 */
export function sandboxSecrets(
  sessionId: string,
  credentials: readonly ResolvedCredential[],
): SandboxSecret[] {
  const secrets = new Map<string, SandboxSecret>();
  for (const credential of credentials) {
    const auth = credential.auth;
    if (auth.type !== 'environment_variable' || secrets.has(auth.secret_name)) continue;
    if (auth.secret_value === '') continue;
    secrets.set(auth.secret_name, {
      name: auth.secret_name,
      placeholder: secretPlaceholder(sessionId, credential.id),
      value: auth.secret_value,
      header: auth.injection_location.header,
      body: auth.injection_location.body,
      hosts: auth.networking.type === 'limited' ? [...auth.networking.allowed_hosts] : 'any',
    });
  }
  return [...secrets.values()];
}

/**
 * What the sandbox sees instead of a secret. Stable per (session,
 * credential), so files written in one sandbox lifetime keep working after an
 * idle restart, and never derived from the value (rotating it changes nothing inside).
 */
export function secretPlaceholder(sessionId: string, credentialId: string): string {
  const digest = createHash('sha256').update(`${sessionId}\0${credentialId}`).digest('hex');
  return `paddock-secret-${digest.slice(0, 24)}`;
}
