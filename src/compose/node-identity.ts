import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * This node's name in the lease table. It is kept in the data directory, so a
 * restarted node is the same node: it takes its own leases back at once, and
 * sessions whose sandbox files are on its disk keep coming back to it. One
 * data directory serves one process at a time (as the sandboxes in it do).
 * SQLite means one node: a fixed name.
 */
export function nodeIdentity(dialect: 'sqlite' | 'postgres', dataDir: string): string {
  if (dialect === 'sqlite') return 'local';
  const path = join(dataDir, 'node-id');
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, `${hostname()}-${randomBytes(4).toString('hex')}`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(path, 'utf8').trim();
}
