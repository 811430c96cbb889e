import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './paddock-process.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A Postgres server of the test's own (initdb into a temp directory, its own port), so a test
 * can restart or stop it without touching the machine's server that other tests share.
 * Postgres refuses to run as root: the server runs as the `postgres` user.
 */
export interface PrivatePostgres {
  /** postgres://… of a database created for the test. */
  url: string;
  /** `pg_ctl restart -m fast`: every connection is terminated (57P01), as in a real restart. */
  restart(): Promise<void>;
  /** Resolves when the server accepts connections (pg_isready). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-pg-'));
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const asPostgres = (command: string, args: string[]) =>
    run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { cwd: dir });
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgCtl = (...args: string[]) => asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), ...args]);
  await pgCtl('-o', options, '-w', 'start');
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('create database paddock');
  await admin.end();
  const server: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/paddock`,
    async restart() {
      await pgCtl('-m', 'fast', '-w', 'restart');
    },
    async ready(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          await run(join(BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']);
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    async stop() {
      await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
