import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../src/config/config.js';
import type { DraftEvent } from '../src/core/events/session-event.js';
import { createPaddock } from '../src/server.js';
import { createSession, isIdle, openEventReader } from '../test/support/harness-fixture.js';
import { startLoadModel } from './load-model.js';
import { median } from './stats.js';
import { atMost, type BenchResult, info } from './table.js';

/** Log lengths a one-step turn is measured at; the first is the "fresh" session. */
const LENGTHS = [100, 5_000, 10_000];
const TURNS_PER_LENGTH = 5;

/**
 * What the log grows by. `conversation`: finished exchanges (question, answer, idle), all of
 * which the model request carries. `bookkeeping`: status events only, which the harness reads
 * and folds but the model never sees: the log's own cost without a growing request.
 */
export type HistoryKind = 'conversation' | 'bookkeeping';

const filler = (kind: HistoryKind, index: number): DraftEvent[] =>
  kind === 'conversation'
    ? [
        { type: 'user.message', content: [{ type: 'text', text: `note ${index}: the build passed` }] },
        { type: 'agent.message', content: [{ type: 'text', text: `noted ${index}` }] },
        { type: 'session.status_idle', stop_reason: { type: 'end_turn' } },
      ]
    : [
        { type: 'session.status_running' },
        { type: 'session.status_idle', stop_reason: { type: 'end_turn' } },
        { type: 'session.status_running' },
      ];

/**
 * A one-step turn (model asks for `bash`, gets the result, answers) on one
 * session as its log grows from ~100 to 10,000 events, in process (process
 * sandbox driver, zero-delay model): what a turn costs as the session ages.
 * The history is appended straight to the event log, as earlier turns would have.
 */
export async function benchLongSession(kind: HistoryKind): Promise<BenchResult[]> {
  const model = await startLoadModel({ toolSteps: 1, delayMs: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-bench-long-'));
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
  const paddock = await createPaddock({ config });
  const client = new Anthropic({ baseURL: await paddock.listen(), apiKey: 'sk-bench', maxRetries: 0 });
  const events = paddock.context.events;
  try {
    const { session } = await createSession(client);
    const turn = async () => {
      const reader = await openEventReader(client, session.id);
      const started = performance.now();
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
      });
      await reader.until(isIdle, 120_000);
      reader.close();
      return performance.now() - started;
    };
    const logLength = async () => (await events.list(session.id, { order: 'desc', limit: 1 }))[0]?.seq ?? 0;
    await turn(); // starts the sandbox: what follows is the steady state
    const results: BenchResult[] = [];
    let fresh = Number.NaN;
    let freshCpu = Number.NaN;
    let exchanges = 0;
    for (const length of LENGTHS) {
      // Each measured turn adds ~8 events: fill to just under the length.
      for (let missing = length - TURNS_PER_LENGTH * 8 - (await logLength()); missing > 0; missing -= 300) {
        const batch = Array.from({ length: Math.min(100, Math.ceil(missing / 3)) }, () =>
          filler(kind, exchanges++),
        );
        await events.append(session.id, batch.flat());
      }
      const samples: number[] = [];
      const cpuBefore = process.cpuUsage();
      for (let i = 0; i < TURNS_PER_LENGTH; i++) samples.push(await turn());
      const cpu = process.cpuUsage(cpuBefore);
      const cpuPerTurn = (cpu.user + cpu.system) / 1000 / TURNS_PER_LENGTH;
      const at = await logLength();
      const p50 = median(samples);
      if (Number.isNaN(fresh)) {
        fresh = p50;
        freshCpu = cpuPerTurn;
        results.push(
          info(`one-step turn at ${at} events of ${kind} (p50 of ${TURNS_PER_LENGTH})`, p50, 'ms'),
          info(`  CPU per turn at ${at} events (whole bench process)`, cpuPerTurn, 'ms'),
        );
      } else {
        results.push(
          info(`one-step turn at ${at} events of ${kind} (p50 of ${TURNS_PER_LENGTH})`, p50, 'ms'),
          atMost(`turn at ${at} events / turn at ${LENGTHS[0]}`, p50 / fresh, '×', 1.2),
          info(`  CPU per turn at ${at} events (whole bench process)`, cpuPerTurn, 'ms'),
          atMost(`  CPU per turn at ${at} events / at ${LENGTHS[0]}`, cpuPerTurn / freshCpu, '×', 1.2),
        );
      }
    }
    return results;
  } finally {
    await paddock.close();
    await model.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
