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
  // Starting from source (tsx) takes long on a loaded machine: wait for readiness, generously.
  const ready = { readyTimeoutMs: 120_000 };
  const started: Array<{ kill(): Promise<void> }> = [];
  const spawnTracked = async <T extends { kill(): Promise<void> }>(spawning: Promise<T>): Promise<T> => {
    const node = await spawning;
    started.push(node);
    return node;
  };
  let api: PaddockProcess;
  let workers: WorkerProcess[];
  try {
    api = await spawnTracked(
      spawnPaddock(
        childEnv({
          ...shared,
          PADDOCK_DATA_DIR: dataDirs[0] as string,
          PADDOCK_PORT: String(await freePort()),
          PADDOCK_HARNESS: 'false',
        }),
        ready,
      ),
    );
    workers = await Promise.all(workerDirs.map((dir) => spawnTracked(spawnWorker(workerEnv(dir), ready))));
  } catch (error) {
    // Leave nothing running: a half-started fleet would keep the test process alive.
    for (const node of started) await node.kill();
    await model.close();
    throw error;
  }
  const fleet: Fleet = {
    model,
    api,
    workers,
    workerDirs,
    client: new Anthropic({ baseURL: api.url, apiKey: FLEET_ADMIN_KEY, maxRetries: 0 }),
    workerOf: (text) => workerDirs.findIndex((dir) => text.includes(dir)),
    async restartWorker(index) {
      const worker = await spawnWorker(workerEnv(workerDirs[index] as string), ready);
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
