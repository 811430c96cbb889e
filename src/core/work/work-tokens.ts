import { createHash, randomBytes } from 'node:crypto';

/**
 * Credentials of self-hosted workers. Both are shown once and stored as
 * SHA-256 hashes, like API keys.
 *
 * - Environment keys (`sk-paddock-env-…`): a worker's standing credential, scoped to one environment.
 * - Sessions tokens (`sk-ant-req-<work id>.<random>`): minted on each poll of a work item and
 *   scoped to that item and its session. The work id inside lets the server find the item
 *   without an index; the random part is what is checked.
 */
export const ENVIRONMENT_KEY_PREFIX = 'sk-paddock-env-';
export const SESSIONS_TOKEN_PREFIX = 'sk-ant-req-';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const generateEnvironmentKey = (): string =>
  `${ENVIRONMENT_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;

export const generateSessionsToken = (workId: string): string =>
  `${SESSIONS_TOKEN_PREFIX}${workId}.${randomBytes(24).toString('base64url')}`;

/** The work id a sessions token names, or undefined when it is not one of ours. */
export function workIdOfToken(token: string): string | undefined {
  if (!token.startsWith(SESSIONS_TOKEN_PREFIX)) return undefined;
  const match = /^(work_[0-9A-Za-z]+)\.[A-Za-z0-9_-]+$/.exec(token.slice(SESSIONS_TOKEN_PREFIX.length));
  return match?.[1];
}

/** The poll response's `secret`: base64url JSON `{sessions_token}` (spec §3.5). */
export const encodeWorkSecret = (sessionsToken: string): string =>
  Buffer.from(JSON.stringify({ sessions_token: sessionsToken })).toString('base64url');
