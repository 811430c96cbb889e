import type { PaddockConfig } from '../config/config.js';
import type { Paddock } from '../server.js';

/**
 * Without PADDOCK_ADMIN_KEY, the first start mints an API key and prints it
 * once; only its hash is stored, so it cannot be shown again.
 */
export async function ensureInitialKey(paddock: Paddock, config: PaddockConfig): Promise<void> {
  if (config.adminKey !== undefined) return;
  const existing = await paddock.store.apiKeys.list();
  if (existing.length > 0) return;
  const { key } = await paddock.context.apiKeys.create('initial');
  process.stdout.write(
    `\nCreated the first API key (shown once; store it now):\n\n  ${key}\n\n` +
      'Use it as ANTHROPIC_API_KEY with baseURL pointed here, or set PADDOCK_ADMIN_KEY to choose your own.\n\n',
  );
}
