import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetaRepository } from '../ports/store.js';

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The key that seals vault secrets. A configured key wins (and is what a
 * multi-node Postgres deployment needs, since every node must share it);
 * otherwise a key file in the data dir is created once with mode 0600.
 */
export function loadSecretKey(options: { secretKey: string | undefined; dataDir: string }): Buffer {
  if (options.secretKey !== undefined) return parseSecretKey(options.secretKey);
  const path = join(options.dataDir, SECRET_KEY_FILE);
  mkdirSync(options.dataDir, { recursive: true });
  try {
    // `wx` fails if the file exists, so two processes starting at once cannot overwrite each other's key.
    writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  return parseSecretKey(readFileSync(path, 'utf8').trim(), path);
}

export function parseSecretKey(value: string, source = 'PADDOCK_SECRET_KEY'): Buffer {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const decoded = Buffer.from(trimmed, 'base64');
    if (decoded.length === 32) return decoded;
  }
  throw new Error(`${source} must hold 32 bytes as hex (64 characters) or base64`);
}

/**
 * Refuses a key other than the one this database's secrets were sealed with.
 * Every node sharing a Postgres database needs the same key; a node started
 * without PADDOCK_SECRET_KEY makes its own key file, and would otherwise fail
 * later, credential by credential, on sessions that use a vault.
 */
export async function checkSecretKey(meta: MetaRepository, key: Buffer): Promise<void> {
  const fingerprint = createHmac('sha256', key).update('paddock secret key fingerprint v1').digest('hex');
  const stored = await meta.setIfAbsent('secret_key_fingerprint', fingerprint);
  if (stored !== fingerprint)
    throw new Error(
      "PADDOCK_SECRET_KEY is not the key this database's vault credentials are sealed with: every node sharing the database needs the same PADDOCK_SECRET_KEY",
    );
}
