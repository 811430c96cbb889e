import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import { type PaddockProcess, spawnPaddock } from '../test/support/paddock-process.js';
import { type LoadModel, startLoadModel } from './load-model.js';
import { cpuMs, descendantCount } from './proc.js';
import { rssMiB } from './rss.js';
import { BENCH_ADMIN_KEY, serveEnv } from './start.js';
import { median, percentile } from './stats.js';
import { atMost, type BenchResult, info } from './table.js';

/**
 * Load on one `paddock serve` child (compiled bundle, SQLite, bwrap): N
 * sessions created at once, each one turn of `toolSteps` model+`bash` steps,
 * the model answering after `delayMs`. The SDK clients and the model run in
 * this process, the server in its own, so CPU and RSS are the server's alone.
 */
export interface LoadOptions {
  counts: number[];
  delayMs: number;
  toolSteps: number;
}

const ROOTFS_DIR = process.env['PADDOCK_TEST_ROOTFS_DIR'] ?? '/var/cache/paddock/rootfs';
const TURN_TIMEOUT_MS = 300_000;

/** PADDOCK_BENCH_LOAD_N (comma-separated, default 10,50,100,200), PADDOCK_BENCH_MODEL_DELAY_MS (200). */
export function loadOptionsFromEnv(env = process.env): LoadOptions {
  const counts = (env['PADDOCK_BENCH_LOAD_N'] ?? '10,50,100,200')
    .split(',')
    .map((entry) => Number(entry.trim()))
    .filter((count) => Number.isInteger(count) && count > 0);
  return { counts, delayMs: Number(env['PADDOCK_BENCH_MODEL_DELAY_MS'] ?? 200), toolSteps: 3 };
}

interface Server {
  process: PaddockProcess;
  pid: number;
  client: Anthropic;
  agentId: string;
  environmentId: string;
  close(): Promise<void>;
}

async function startServer(paddockArgv: string[], model: LoadModel): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-bench-load-'));
  const env = await serveEnv(dataDir, {
    PADDOCK_ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'bench-upstream-key',
    PADDOCK_ROOTFS_DIR: ROOTFS_DIR,
  });
  // PADDOCK_BENCH_CPU_PROF=<dir>: each serve child writes a V8 CPU profile there when it stops.
  const profileDir = process.env['PADDOCK_BENCH_CPU_PROF'];
  const entry = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...paddockArgv] : paddockArgv;
  const child = await spawnPaddock(env, { entry });
  const client = new Anthropic({
    baseURL: child.url,
    apiKey: BENCH_ADMIN_KEY,
    maxRetries: 0,
    timeout: TURN_TIMEOUT_MS,
  });
  const agent = await client.beta.agents.create({
    name: 'load',
    model: 'claude-sonnet-4-6',
    tools: [{ type: 'agent_toolset_20260401' }],
  });
  const environment = await client.beta.environments.create({
    name: 'load',
    config: { type: 'cloud', networking: { type: 'unrestricted' } },
  });
  return {
    process: child,
    pid: child.child.pid ?? 0,
    client,
    agentId: agent.id,
    environmentId: environment.id,
    async close() {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** New session → user message → idle. Resolves to the latency in ms, or throws what went wrong. */
async function oneTurn(server: Server, toolSteps: number): Promise<number> {
  const { client } = server;
  const started = performance.now();
  const session = await client.beta.sessions.create({
    agent: server.agentId,
    environment_id: server.environmentId,
  });
  const stream = await client.beta.sessions.events.stream(session.id);
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
  });
  let toolUses = 0;
  const timer = setTimeout(() => stream.controller.abort(), TURN_TIMEOUT_MS);
  try {
    for await (const event of stream as AsyncIterable<{
      type: string;
      is_error?: boolean;
      content?: unknown;
    }>) {
      if (event.type === 'session.error')
        throw new Error(`session.error in ${session.id}: ${JSON.stringify(event).slice(0, 400)}`);
      if (event.type === 'agent.tool_result' && event.is_error)
        throw new Error(`tool error in ${session.id}: ${JSON.stringify(event.content).slice(0, 400)}`);
      if (event.type === 'agent.tool_use') toolUses++;
      if (event.type === 'session.status_idle') {
        if (toolUses !== toolSteps) throw new Error(`${session.id} ran ${toolUses} of ${toolSteps} steps`);
        return performance.now() - started;
      }
    }
    throw new Error(`stream of ${session.id} ended before idle`);
  } finally {
    clearTimeout(timer);
    stream.controller.abort();
  }
}

/** /health polled back to back (one in flight) until `stop` is aborted. */
async function pollHealth(url: string, stop: AbortSignal): Promise<number[]> {
  const samples: number[] = [];
  while (!stop.aborted) {
    const started = performance.now();
    try {
      await (await fetch(`${url}/health`)).arrayBuffer();
    } catch {
      // counted by its time like any other
    }
    samples.push(performance.now() - started);
    await sleep(50);
  }
  return samples;
}

/**
 * First turn on a fresh `serve` vs later ones (1 `bash`, no model delay). The first turn is sent
 * `settleMs` after the server answered `/health` (0: at once, racing the background warm-up).
 */
export async function benchFirstTurn(paddockArgv: string[], settleMs = 0): Promise<BenchResult[]> {
  const model = await startLoadModel({ toolSteps: 1, delayMs: 0 });
  const server = await startServer(paddockArgv, model);
  try {
    if (settleMs > 0) await sleep(settleMs);
    const first = await oneTurn(server, 1);
    const later: number[] = [];
    for (let i = 0; i < 10; i++) later.push(await oneTurn(server, 1));
    const when = settleMs > 0 ? `${settleMs / 1000} s after serve is ready` : 'after serve starts';
    return [
      info(`first turn ${when} (1 bash, child)`, first, 'ms'),
      info(
        `later turn p50 (same server${settleMs > 0 ? `, ${settleMs / 1000} s wait` : ''})`,
        median(later),
        'ms',
      ),
      atMost(
        `first turn / later turn (${settleMs > 0 ? `${settleMs / 1000} s after ready` : 'at once'})`,
        first / median(later),
        '×',
        1.5,
      ),
    ];
  } finally {
    await server.close();
    await model.close();
  }
}

async function loadRun(paddockArgv: string[], model: LoadModel, count: number, options: LoadOptions) {
  const server = await startServer(paddockArgv, model);
  try {
    await oneTurn(server, options.toolSteps); // loads what a first turn loads: the figures are steady state
    const stopSampling = new AbortController();
    let peakRss = rssMiB(server.pid);
    let peakProcesses = descendantCount(server.pid);
    const sampler = (async () => {
      while (!stopSampling.signal.aborted) {
        peakRss = Math.max(peakRss, rssMiB(server.pid));
        peakProcesses = Math.max(peakProcesses, descendantCount(server.pid));
        await sleep(250);
      }
    })();
    const health = pollHealth(server.process.url, stopSampling.signal);
    const cpuBefore = cpuMs(server.pid);
    const outcomes = await Promise.allSettled(
      Array.from({ length: count }, () => oneTurn(server, options.toolSteps)),
    );
    const cpu = cpuMs(server.pid) - cpuBefore;
    stopSampling.abort();
    await sampler;
    const healthSamples = await health;
    const latencies = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    if (failures.length > 0)
      process.stderr.write(`bench: load N=${count}: first failure: ${String(failures[0])}\n`);
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      errors: failures.length,
      peakRss,
      peakProcesses,
      cpuPerStep: cpu / (count * options.toolSteps),
      healthP99: percentile(healthSamples, 99),
      healthMax: Math.max(...healthSamples),
    };
  } finally {
    await server.close();
  }
}

/** Each N on a fresh server; the knee is the first N whose p50 passes 2× the ideal turn. */
export async function benchLoad(
  paddockArgv: string[],
  options = loadOptionsFromEnv(),
): Promise<BenchResult[]> {
  const model = await startLoadModel({ toolSteps: options.toolSteps, delayMs: options.delayMs });
  const ideal = (options.toolSteps + 1) * options.delayMs;
  const results: BenchResult[] = [
    info(`ideal turn (${options.toolSteps + 1} model calls × delay)`, ideal, 'ms'),
  ];
  let knee: number | undefined;
  try {
    for (const count of options.counts) {
      process.stderr.write(`bench: load N=${count}…\n`);
      const run = await loadRun(paddockArgv, model, count, options);
      if (knee === undefined && run.p50 > 2 * ideal) knee = count;
      const isTarget = count === 100;
      const label = `load N=${count}:`;
      results.push(
        isTarget
          ? atMost(`${label} turn p50`, run.p50, 'ms', 2 * ideal)
          : info(`${label} turn p50`, run.p50, 'ms'),
        isTarget
          ? atMost(`${label} turn p99`, run.p99, 'ms', 2.5 * ideal)
          : info(`${label} turn p99`, run.p99, 'ms'),
        isTarget ? atMost(`${label} errors`, run.errors, '', 0) : info(`${label} errors`, run.errors, ''),
        info(`${label} server peak RSS`, run.peakRss, 'MiB'),
        info(`${label} peak processes under the server`, run.peakProcesses, ''),
        isTarget
          ? atMost(`${label} server CPU per step`, run.cpuPerStep, 'ms', 1)
          : info(`${label} server CPU per step`, run.cpuPerStep, 'ms'),
        info(`${label} /health p99 during the run`, run.healthP99, 'ms'),
        info(`${label} /health worst during the run`, run.healthMax, 'ms'),
      );
    }
  } finally {
    await model.close();
  }
  results.push(
    info(
      knee === undefined
        ? `knee: none up to N=${Math.max(...options.counts)}`
        : 'knee: first N with p50 > 2× ideal',
      knee ?? 0,
      'sessions',
    ),
  );
  return results;
}
