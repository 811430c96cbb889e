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
    `\nCreated the first Paddock API key (shown once; store it now):\n\n  export PADDOCK_API_KEY=${key}\n\n` +
      // Never ANTHROPIC_API_KEY: the server reads that one as its upstream key, and a user who
      // exported the Paddock key under that name would send it to the model upstream.
      'Clients send it as their API key (the SDK: its apiKey from the PADDOCK_API_KEY variable, baseURL pointed here;\n' +
      'the CLI reads PADDOCK_API_KEY). Set PADDOCK_ADMIN_KEY to choose your own instead.\n\n',
  );
}
