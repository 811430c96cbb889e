import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../src/config/config.js';
import type { Store } from '../src/core/ports/store.js';
import { startScriptedModelServer } from '../src/providers/scripted/scripted-model-server.js';
import type { ScriptedTurn } from '../src/providers/scripted/scripted-turn.js';
import { createProcessDriver } from '../src/sandbox/process/process-driver.js';
import { createPaddock } from '../src/server.js';
import { createStore } from '../src/store/create-store.js';
import { createSession, isIdle, openEventReader } from '../test/support/harness-fixture.js';
import { type BenchResult, info } from './table.js';

// PADDOCK_BENCH_COUNT_STEPS: more steps per turn (profiling the steady state with --cpu-prof).
const STEPS = Number(process.env['PADDOCK_BENCH_COUNT_STEPS'] ?? 20);

/** Calls per repository method (`resources.get:session`, `transaction`, …), counted through a proxy. */
export type Counts = Map<string, number>;

/**
 * The store with every repository call and every transaction counted: the bench's
 * instrument for database work per step (the product code is not instrumented).
 */
export function countingStore(store: Store, counts: Counts): Store {
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const wrapRepository = (name: string, repository: object) =>
    new Proxy(repository, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const kind = name === 'resources' && typeof args[0] === 'string' ? `:${args[0]}` : '';
          bump(`${name}.${String(property)}${kind}`);
          return value.apply(target, args);
        };
      },
    });
  // A transaction opened inside another one (the publishing store's) runs in it: not counted.
  const wrap = (inner: Store, nested: boolean): Store =>
    new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'transaction')
          return <T>(fn: (tx: Store) => Promise<T>) => {
            if (!nested) bump('transaction');
            return target.transaction((tx) => fn(wrap(tx, true)));
          };
        const value = Reflect.get(target, property, receiver);
        return value && typeof value === 'object' ? wrapRepository(String(property), value) : value;
      },
    });
  return wrap(store, false);
}

const script = (): ScriptedTurn[] => [
  ...Array.from({ length: STEPS }, () => ({
    content: [{ type: 'tool_use' as const, name: 'bash', input: { command: 'echo bench' } }],
  })),
  { content: [{ type: 'text' as const, text: 'done' }] },
];

/** Database calls per model+bash step: one warm-up turn, then one turn of STEPS steps counted. */
export async function benchStoreCounts(): Promise<BenchResult[]> {
  const model = await startScriptedModelServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      adminKey: 'sk-bench',
      anthropic: { baseUrl: model.url, apiKey: 'bench-upstream' },
      sandboxDriver: 'process',
    },
  );
  const counts: Counts = new Map();
  const store = countingStore(
    await createStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
    counts,
  );
  const paddock = await createPaddock({
    config,
    store,
    harness: { sandboxes: createProcessDriver(config, { log: () => {} }) },
  });
  const url = await paddock.listen();
  let cpuBefore = process.cpuUsage();
  let cpu = { user: 0, system: 0 };
  const client = new Anthropic({ baseURL: url, apiKey: 'sk-bench', maxRetries: 0 });
  try {
    for (let turn = 0; turn < 2; turn++) {
      const { session } = await createSession(client);
      model.push(script());
      const reader = await openEventReader(client, session.id);
      // Turn 0 warms caches; only turn 1's steps are counted.
      if (turn === 1) {
        counts.clear();
        cpuBefore = process.cpuUsage();
      }
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
      });
      await reader.until(isIdle, 60_000);
      if (turn === 1) cpu = process.cpuUsage(cpuBefore);
      reader.close();
    }
    await paddock.harness.harness.whenIdle();
  } finally {
    await paddock.close();
    await model.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const per = (keys: (key: string) => boolean) =>
    [...counts].filter(([key]) => keys(key)).reduce((sum, [, n]) => sum + n, 0) / STEPS;
  const rows: BenchResult[] = [
    // Server, SDK client and scripted model share this process: compare builds, not absolutes.
    info('process CPU per step (server + client + model)', (cpu.user + cpu.system) / 1000 / STEPS, 'ms'),
    info(
      'transactions per step',
      per((key) => key === 'transaction'),
      '',
    ),
    info(
      'resource reads by id per step',
      per((key) => key.startsWith('resources.get')),
      '',
    ),
    info(
      'lease calls per step',
      per((key) => key.startsWith('leases.')),
      '',
    ),
    info(
      'event pages per step',
      per((key) => key === 'events.list'),
      '',
    ),
  ];
  for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]))
    rows.push(info(`  ${key}`, n / STEPS, 'per step'));
  return rows;
}
