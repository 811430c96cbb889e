import type { PaddockConfig } from '../config/config.js';
import { createPaddock } from '../server.js';

export async function runKeys(config: PaddockConfig, args: string[]): Promise<number> {
  const [action, argument] = args;
  const paddock = await createPaddock({ config });
  try {
    switch (action) {
      case 'create': {
        const { record, key } = await paddock.context.apiKeys.create(argument ?? 'unnamed');
        process.stdout.write(`${record.id}\t${record.name}\n${key}\n`);
        return 0;
      }
      case 'list':
        for (const record of await paddock.store.apiKeys.list()) {
          process.stdout.write(`${record.id}\t${record.name}\t${record.createdAt}\n`);
        }
        return 0;
      case 'revoke': {
        if (!argument) throw new Error('usage: paddock keys revoke <id>');
        const deleted = await paddock.store.apiKeys.delete(argument);
        process.stdout.write(deleted ? `revoked ${argument}\n` : `no key ${argument}\n`);
        return deleted ? 0 : 1;
      }
      default:
        process.stderr.write('usage: paddock keys create <name> | list | revoke <id>\n');
        return 2;
    }
  } finally {
    await paddock.close();
  }
}
