import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../src/config/config.js';
import type { SandboxDriver } from '../src/core/ports/sandbox.js';
import { startScriptedModelServer } from '../src/providers/scripted/scripted-model-server.js';
import { createBwrapDriver, rootfsOptions } from '../src/sandbox/bwrap/bwrap-driver.js';
import { probeBwrap } from '../src/sandbox/bwrap/bwrap-host.js';
import { rootfsReady } from '../src/sandbox/bwrap/rootfs.js';
import { createPaddock } from '../src/server.js';
import { createSession, isIdle, openEventReader } from '../test/support/harness-fixture.js';
import { benchIdleMemory } from './idle-memory.js';
import { median, percentile } from './stats.js';
import { atMost, type BenchResult, info } from './table.js';

/** The machine-wide rootfs cache the tests and CI build once. */
const ROOTFS_DIR = process.env['PADDOCK_TEST_ROOTFS_DIR'] ?? '/var/cache/paddock/rootfs';
const signal = new AbortController().signal;

/**
 * Sandbox figures on the real bwrap driver: start, cold turn (new session →
 * first bash result → idle, through the API), warm bash round trip, and the
 * memory an idle session's sandbox holds.
 */
export async function benchSandbox(): Promise<BenchResult[]> {
  const host = probeBwrap();
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-bench-sandbox-'));
  // Starts and idle memory are measured without a pool (its members would be counted too).
  const config = loadConfig({
    PADDOCK_DATA_DIR: dataDir,
    PADDOCK_ROOTFS_DIR: ROOTFS_DIR,
    PADDOCK_SANDBOX_POOL_SIZE: '0',
  });
  if ('missing' in host || !rootfsReady(rootfsOptions(config, () => {}))) {
    return [
      info(
        `sandbox benchmarks skipped (${'missing' in host ? host.missing : `no rootfs in ${ROOTFS_DIR}`})`,
        0,
        '',
      ),
    ];
  }
  const driver = await createBwrapDriver(config, { log: () => {} });
  try {
    const starts: number[] = [];
    const firstResults: number[] = [];
    for (let i = 0; i < 10; i++) {
      const spec = {
        sessionId: `bench_start_${i}`,
        environmentId: 'env_bench',
        network: { type: 'limited' as const },
      };
      const started = performance.now();
      const sandbox = await driver.acquire(spec);
      starts.push(performance.now() - started);
      await sandbox.runTool('bash', { command: 'echo ready' }, signal);
      firstResults.push(performance.now() - started);
    }
    const warm = await warmRoundTrips(driver);
    const rssBefore = process.memoryUsage().rss;
    const idleSandboxes = await benchIdleMemory(driver);
    const { cold, live } = await coldTurns(dataDir, 0);
    const { cold: pooled } = await coldTurns(dataDir, 2);
    return [
      info('sandbox start (acquire, p50)', median(starts), 'ms'),
      info('sandbox start → first bash result (p50)', median(firstResults), 'ms'),
      atMost('cold turn: new session → first bash result → idle (p50)', median(cold), 'ms', 65),
      info('cold turn p99', percentile(cold, 99), 'ms'),
      atMost('cold turn, pooled: a warm sandbox ready (p50)', median(pooled), 'ms', 20),
      info('cold turn, pooled p99', percentile(pooled, 99), 'ms'),
      info('the same turn on a live sandbox (p50)', median(live), 'ms'),
      atMost('warm bash round trip (p50)', median(warm), 'ms', 2),
      ...idleSandboxes,
      info('server RSS before idle sandboxes', rssBefore / 1048576, 'MiB'),
    ];
  } finally {
    await driver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function warmRoundTrips(driver: SandboxDriver): Promise<number[]> {
  const sandbox = await driver.acquire({
    sessionId: 'bench_warm',
    environmentId: 'env_bench',
    network: { type: 'limited' },
  });
  await sandbox.runTool('bash', { command: 'true' }, signal);
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await sandbox.runTool('bash', { command: 'echo hi' }, signal);
    samples.push(performance.now() - started);
  }
  return samples;
}

/**
 * New session → first bash result → idle through the API, on a driver with PADDOCK_SANDBOX_POOL_SIZE
 * `pool`; with a pool, each session arrives once a member is ready (the pool's steady state).
 */
async function coldTurns(dataDir: string, pool: number): Promise<{ cold: number[]; live: number[] }> {
  const model = await startScriptedModelServer();
  const config = loadConfig(
    { PADDOCK_ROOTFS_DIR: ROOTFS_DIR, PADDOCK_SANDBOX_POOL_SIZE: String(pool) },
    {
      port: 0,
      host: '127.0.0.1',
      dataDir: join(dataDir, `server-pool-${pool}`),
      adminKey: 'sk-bench',
      anthropic: { baseUrl: model.url, apiKey: 'x' },
    },
  );
  const sandboxes = await createBwrapDriver(config, { log: () => {} });
  const paddock = await createPaddock({ config, harness: { sandboxes } });
  const client = new Anthropic({ baseURL: await paddock.listen(), apiKey: 'sk-bench', maxRetries: 0 });
  const samples: number[] = [];
  const live: number[] = [];
  try {
    for (let i = 0; i <= 10; i++) {
      const { pool: members } = sandboxes;
      if (members && i > 0) await members.until(() => members.stats().ready > 0 && members.idle);
      const { session } = await createSession(client);
      model.push([
        { content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo cold' } }] },
        { content: [{ type: 'text', text: 'done' }] },
      ]);
      const reader = await openEventReader(client, session.id);
      const turn = async () => {
        const started = performance.now();
        await client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
        });
        await reader.until(isIdle, 60_000);
        return performance.now() - started;
      };
      const cold = await turn();
      if (i > 0) samples.push(cold);
      // The same turn again, its sandbox live: what a turn costs without any start.
      model.push([
        { content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo cold' } }] },
        { content: [{ type: 'text', text: 'done' }] },
      ]);
      const again = await turn();
      if (i > 0) live.push(again);
      reader.close();
    }
  } finally {
    await paddock.close();
    await sandboxes.close();
    await model.close();
  }
  return { cold: samples, live };
}
