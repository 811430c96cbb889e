import type { Env } from './config.js';
import { httpUrl, nonEmpty, parsePort } from './parse-env.js';

/** What a CLI client command (`paddock keys`, `paddock env-key`) needs to reach a running server. */
export interface ClientConfig {
  /** --base-url, else PADDOCK_BASE_URL, else http://127.0.0.1:$PADDOCK_PORT. */
  baseUrl: string;
  /** --api-key, else PADDOCK_API_KEY, else PADDOCK_ADMIN_KEY. */
  apiKey: string | undefined;
}

export type ClientFlags = { baseUrl?: string | undefined; apiKey?: string | undefined };

/** The client settings from the flags and `env` (config.ts's loadClientConfig passes the environment). */
export function parseClientConfig(flags: ClientFlags, env: Env): ClientConfig {
  const port = parsePort(env['PADDOCK_PORT'] ?? '4000');
  const baseUrl = flags.baseUrl ?? nonEmpty(env['PADDOCK_BASE_URL']) ?? `http://127.0.0.1:${port}`;
  return {
    baseUrl: httpUrl('PADDOCK_BASE_URL (or --base-url)', baseUrl).replace(/\/+$/, ''),
    apiKey: flags.apiKey ?? nonEmpty(env['PADDOCK_API_KEY']) ?? nonEmpty(env['PADDOCK_ADMIN_KEY']),
  };
}
