import type { PaddockConfig } from '../config/config.js';
import { createPaddock } from '../server.js';

/** `paddock env-key create <environment_id> [name]`: a self-hosted worker's key, printed once. */
export async function runEnvironmentKeys(config: PaddockConfig, args: string[]): Promise<number> {
  const [action, environmentId, name] = args;
  if (action !== 'create' || !environmentId) {
    process.stderr.write('usage: paddock env-key create <environment_id> [name]\n');
    return 2;
  }
  const paddock = await createPaddock({ config });
  try {
    const { record, key } = await paddock.context.environmentKeys.create(environmentId, name ?? null);
    process.stdout.write(`${record.id}\t${record.environment_id}\n${key}\n`);
    return 0;
  } finally {
    await paddock.close();
  }
}
