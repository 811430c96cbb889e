import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { spawnPaddock } from '../test/support/paddock-process.js';
import { benchAppend } from './append.js';
import { compiledPaddock } from './build.js';
import { benchFanOut } from './fanout.js';
import { benchCreateLatency, warmUp } from './latency.js';
import { benchFirstTurn, benchLoad } from './load.js';
import { benchLongSession } from './long-session.js';
import { benchHarnessOverhead } from './overhead.js';
import { rssMiB } from './rss.js';
import { benchSandbox } from './sandbox.js';
import { benchSlowClients } from './slow-clients.js';
import { benchSnapshots } from './snapshots.js';
import { BENCH_ADMIN_KEY, benchInProcessStart, benchServeStart, serveEnv } from './start.js';
import { atMost, type BenchResult, info, printTable } from './table.js';

/** Start, RSS and SDK latency against one compiled `paddock serve` child. */
async function benchServeChild(paddockArgv: string[]): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
  const child = await spawnPaddock(await serveEnv(dataDir), { entry: paddockArgv });
  try {
    const pid = child.child.pid ?? 0;
    const client = new Anthropic({ baseURL: child.url, apiKey: BENCH_ADMIN_KEY, maxRetries: 0 });
    await warmUp(client);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const justIdle = rssMiB(pid);
    // A node quiet for PADDOCK_IDLE_GC_MS (5 s) collects once, and again 5 s later if V8 kept
    // its young generation (decision 0028): 12 s covers both.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const idle = rssMiB(pid);
    const latency = await benchCreateLatency(client);
    return [
      info('RSS of serve 1 s after start + a few requests', justIdle, 'MiB'),
      atMost('idle RSS of serve (12 s quiet after start + a few requests)', idle, 'MiB', 60),
      ...latency,
      info('RSS of serve after the latency runs', rssMiB(pid), 'MiB'),
    ];
  } finally {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const paddockArgv = compiledPaddock();
  const sections: Array<[string, () => Promise<BenchResult[]>]> = [
    ['start', () => benchServeStart(paddockArgv)],
    ['in-process start', () => benchInProcessStart()],
    ['serve child', () => benchServeChild(paddockArgv)],
    ['harness overhead', () => benchHarnessOverhead()],
    ['append (sqlite)', () => benchAppend('sqlite')],
    ['append (postgres)', () => benchAppend('postgres')],
    ['fan-out', () => benchFanOut()],
    ['slow SSE clients', () => benchSlowClients(paddockArgv)],
    ['sandbox (bwrap)', () => benchSandbox()],
    ['workspace snapshots', () => benchSnapshots()],
    // At once (racing the background warm-up), and 1 s after ready (what the warm-up leaves).
    [
      'first turn after start',
      async () => [...(await benchFirstTurn(paddockArgv)), ...(await benchFirstTurn(paddockArgv, 1000))],
    ],
    ['long session (bookkeeping history)', () => benchLongSession('bookkeeping')],
    ['long session (conversation history)', () => benchLongSession('conversation')],
    // Last: the heaviest (N = 10, 50, 100, 200 by default; PADDOCK_BENCH_LOAD_N to change).
    ['load', () => benchLoad(paddockArgv)],
  ];
  const results: BenchResult[] = [];
  for (const [name, run] of sections) {
    process.stderr.write(`bench: ${name}…\n`);
    results.push(...(await run()));
  }
  results.push(info('whole bench run', (performance.now() - started) / 1000, 's'));
  process.stdout.write(`${printTable(results)}\n`);
  // Exit code reflects nothing: benchmarks measure, tests judge.
}

await main();
