import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { childEnv, freePort, type PaddockProcess, spawnPaddock, spawnWorker } from './paddock-process.js';

export const FLEET_ADMIN_KEY = 'sk-paddock-fleet-test';

export type WorkerProcess = Awaited<ReturnType<typeof spawnWorker>>;

/**
 * A fleet in miniature, as real processes: one API node that drives nothing
 * (PADDOCK_HARNESS=false) and `paddock worker`s with their own data directories,
 * on one Postgres database and secret key, with the scripted model upstream.
 * The process sandbox driver works under the node's data directory, so a bash
 * `pwd` names the worker that ran a tool.
 */
export interface Fleet {
  model: ScriptedModelServer;
  api: PaddockProcess;
  workers: WorkerProcess[];
  workerDirs: string[];
  client: Anthropic;
  /** Which worker's directory a tool result's text mentions (-1: none). */
  workerOf(text: string): number;
  /** Starts worker `index` again (same data directory, so the same node name). */
  restartWorker(index: number): Promise<WorkerProcess>;
  close(): Promise<void>;
}

export interface FleetOptions {
  databaseUrl: string;
  workers?: number;
  /** Extra variables for every node (lease and heartbeat timing, for example). */
  env?: Record<string, string>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const model = await startScriptedModelServer();
  const dataDirs = [await mkdtemp(join(tmpdir(), 'paddock-fleet-api-'))];
  const workerDirs: string[] = [];
  for (let index = 0; index < (options.workers ?? 2); index++)
    workerDirs.push(await mkdtemp(join(tmpdir(), `paddock-fleet-w${index}-`)));
  const shared = {
    PADDOCK_DATABASE_URL: options.databaseUrl,
    PADDOCK_SECRET_KEY: randomBytes(32).toString('hex'),
    PADDOCK_ADMIN_KEY: FLEET_ADMIN_KEY,
    PADDOCK_ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'test-upstream-key',
    PADDOCK_SANDBOX: 'process',
    ...options.env,
  };
  const workerEnv = (dir: string) => childEnv({ ...shared, PADDOCK_DATA_DIR: dir });
  const api = await spawnPaddock(
    childEnv({
      ...shared,
      PADDOCK_DATA_DIR: dataDirs[0] as string,
      PADDOCK_PORT: String(await freePort()),
      PADDOCK_HARNESS: 'false',
    }),
  );
  const workers = await Promise.all(workerDirs.map((dir) => spawnWorker(workerEnv(dir))));
  const fleet: Fleet = {
    model,
    api,
    workers,
    workerDirs,
    client: new Anthropic({ baseURL: api.url, apiKey: FLEET_ADMIN_KEY, maxRetries: 0 }),
    workerOf: (text) => workerDirs.findIndex((dir) => text.includes(dir)),
    async restartWorker(index) {
      const worker = await spawnWorker(workerEnv(workerDirs[index] as string));
      workers[index] = worker;
      return worker;
    },
    async close() {
      for (const worker of workers) await worker.kill();
      await api.kill();
      await model.close();
      for (const dir of [...dataDirs, ...workerDirs]) await rm(dir, { recursive: true, force: true });
    },
  };
  return fleet;
}
