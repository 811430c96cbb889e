import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../src/config/config.js';
import type { DraftEvent } from '../src/core/events/session-event.js';
import { createPaddock } from '../src/server.js';
import { createSession, isIdle, openEventReader } from '../test/support/harness-fixture.js';
import { foldWorkPerStep } from './long-session-folds.js';
import { startModelProcess } from './long-session-model.js';
import { median } from './stats.js';
import { atMost, type BenchResult, info } from './table.js';

/** Log lengths a one-step turn is measured at; the first is the "fresh" session. */
const LENGTHS = [100, 5_000, 10_000];
const TURNS_PER_LENGTH = 10;
/**
 * Unmeasured turns after each fill: the history appended straight to the log is new to the
 * node, which reads and folds it once (what it would have done turn by turn as the session
 * grew), and the fill's garbage is collected; the measured turns are the steady state.
 */
const WARM_UP_TURNS = 2;

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
 * A one-step turn (model asks for `bash`, gets the result, answers) on a session whose log
 * grows from ~100 to 10,000 events, in process (process sandbox driver, zero-delay model):
 * what a turn costs as the session ages. The history is appended straight to the event log,
 * as earlier turns would have. Each length is measured against a short session (~100 events)
 * turn for turn, alternately, so both see the same machine load: the ratio is what the
 * length costs, not what other work on the machine did meanwhile.
 */
export async function benchLongSession(kind: HistoryKind): Promise<BenchResult[]> {
  // Out of process: the CPU figures are the server's, not the fake upstream's parse of the request.
  const model = await startModelProcess({ toolSteps: 1, delayMs: 0 });
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
  let exchanges = 0;
  /** One turn; its wall time and the whole process's CPU time, in ms. */
  const turn = async (sessionId: string) => {
    const reader = await openEventReader(client, sessionId);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await client.beta.sessions.events.send(sessionId, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
    });
    await reader.until(isIdle, 120_000);
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    reader.close();
    return { wall, cpu: (cpu.user + cpu.system) / 1000 };
  };
  const logLength = async (sessionId: string) =>
    (await events.list(sessionId, { order: 'desc', limit: 1 }))[0]?.seq ?? 0;
  /** Fills the log to `length` minus what the turns to come will add (~8 events each). */
  const fill = async (sessionId: string, length: number, turns: number) => {
    for (let missing = length - turns * 8 - (await logLength(sessionId)); missing > 0; missing -= 300) {
      const batch = Array.from({ length: Math.min(100, Math.ceil(missing / 3)) }, () =>
        filler(kind, exchanges++),
      );
      await events.append(sessionId, batch.flat());
    }
  };
  const newSession = async () => {
    const { session } = await createSession(client);
    return session.id;
  };
  try {
    const long = await newSession();
    const results: BenchResult[] = [];
    const turns = TURNS_PER_LENGTH + WARM_UP_TURNS;
    for (const length of LENGTHS) {
      // A short session of its own for each length, so it stays at ~100 events.
      const short = await newSession();
      await fill(short, LENGTHS[0] ?? 100, turns);
      await fill(long, length, turns);
      for (let i = 0; i < WARM_UP_TURNS; i++) {
        await turn(short);
        await turn(long);
      }
      const shortSamples: Array<{ wall: number; cpu: number }> = [];
      const longSamples: Array<{ wall: number; cpu: number }> = [];
      for (let i = 0; i < TURNS_PER_LENGTH; i++) {
        // Alternate which goes first, so neither always follows the other's garbage.
        if (i % 2 === 0) {
          shortSamples.push(await turn(short));
          longSamples.push(await turn(long));
        } else {
          longSamples.push(await turn(long));
          shortSamples.push(await turn(short));
        }
      }
      const [shortAt, longAt] = [await logLength(short), await logLength(long)];
      const wall = median(longSamples.map((sample) => sample.wall));
      const cpu = median(longSamples.map((sample) => sample.cpu));
      const shortWall = median(shortSamples.map((sample) => sample.wall));
      const shortCpu = median(shortSamples.map((sample) => sample.cpu));
      results.push(
        info(`one-step turn at ${longAt} events of ${kind} (p50 of ${TURNS_PER_LENGTH})`, wall, 'ms'),
        info(`  the same turn meanwhile at ${shortAt} events`, shortWall, 'ms'),
        info(`  CPU per turn at ${longAt} events (server process, model apart, p50)`, cpu, 'ms'),
        info(`  CPU per turn meanwhile at ${shortAt} events`, shortCpu, 'ms'),
      );
      const [longFolds, shortFolds] = [
        await foldWorkPerStep(events, long),
        await foldWorkPerStep(events, short),
      ];
      results.push(
        info(`  wake's fold per step at ${longAt} events, whole log (before #21)`, longFolds.whole, 'ms'),
        info(`  wake's fold per step at ${longAt} events, from its checkpoint`, longFolds.checkpoint, 'ms'),
        info(`  the same at ${shortAt} events (the short session)`, shortFolds.checkpoint, 'ms'),
      );
      // At the first length both sessions are short: the ratio is the bench's own noise.
      results.push(
        atMost(`turn at ${longAt} events / at ${shortAt}`, wall / shortWall, '×', 1.2),
        atMost(`  CPU per turn at ${longAt} events / at ${shortAt}`, cpu / shortCpu, '×', 1.2),
      );
    }
    return results;
  } finally {
    await paddock.close();
    await model.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
