import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent } from '../../src/core/events/session-event.js';
import type { LogEntry } from '../../src/core/harness/session-state.js';
import { StepSession } from '../../src/core/harness/step-session.js';
import type { HarnessSession, HarnessSessions } from '../../src/core/ports/harness-sessions.js';
import { DIALECTS } from '../support/databases.js';
import {
  createSession,
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';

// Issue #21: the primary loop keeps the session it loaded while its log shows only step output;
// anything else in the log (a status change, an archive, an update, client input) reloads it.

function fakeSessions(): {
  sessions: HarnessSessions;
  loads: () => number;
  set(patch: Partial<HarnessSession>): void;
} {
  let loads = 0;
  let current: HarnessSession = {
    id: 'sesn_1',
    status: 'running',
    environmentId: 'env_1',
    agent: {} as HarnessSession['agent'],
    vaultIds: [],
    archived: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    budget: null,
  };
  return {
    sessions: {
      async load() {
        loads += 1;
        return { ...current };
      },
      listUnfinished: async () => [],
      saveUsage: async () => undefined,
    },
    loads: () => loads,
    set(patch) {
      current = { ...current, ...patch };
    },
  };
}

const entry = (seq: number, type: string): LogEntry => ({
  seq,
  event: { type, id: `sevt_${seq}` } as SessionEvent,
});

describe('StepSession: a cached session never hides a change the log shows', () => {
  it('reuses the session across step output and reloads on anything else', async () => {
    const fake = fakeSessions();
    const step = new StepSession(fake.sessions, 'sesn_1', true);
    const log: LogEntry[] = [entry(1, 'user.message'), entry(2, 'session.status_running')];
    await step.load(log);
    assert.equal(fake.loads(), 1);
    log.push(
      entry(3, 'span.model_request_start'),
      entry(4, 'agent.tool_use'),
      entry(5, 'span.model_request_end'),
    );
    await step.load(log);
    log.push(entry(6, 'agent.tool_result'), entry(7, 'session.usage'));
    await step.load(log);
    assert.equal(fake.loads(), 1, 'step output alone changes nothing the harness holds');

    let seq = 7;
    for (const type of ['session.updated', 'user.message', 'user.interrupt', 'session.status_rescheduled']) {
      const before = fake.loads();
      log.push(entry(++seq, type), entry(++seq, 'agent.message'));
      await step.load(log);
      assert.equal(fake.loads(), before + 1, `${type} reloads the session`);
    }

    // Archive: the record says archived as the terminated status lands; the next step sees it.
    fake.set({ archived: true, status: 'terminated' });
    log.push(entry(++seq, 'session.status_terminated'));
    assert.equal((await step.load(log))?.archived, true);
  });

  it("a child thread's loop (no reuse) loads at every step", async () => {
    const fake = fakeSessions();
    const step = new StepSession(fake.sessions, 'sesn_1', false);
    const log = [entry(1, 'agent.message')];
    await step.load(log);
    await step.load(log);
    assert.equal(fake.loads(), 2);
  });
});

for (const dialect of DIALECTS) {
  describe(`a session change mid-turn is seen at the next step (${dialect})`, () => {
    let fixture: HarnessFixture;
    let dir: string;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
      dir = mkdtempSync(join(tmpdir(), 'paddock-step-session-'));
    });
    after(async () => {
      await fixture.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a budget raised while a tool runs lets the next model call go ahead', async () => {
      const { client, model } = fixture;
      const { agent, environment } = await createSession(client);
      const limit = (amount: string) => ({
        type: 'limit' as const,
        max_list_cost: { amount, currency: 'USD' as const },
      });
      const session = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        budget: limit('5'),
      });
      const gate = join(dir, `go-${session.id}`);
      // Sonnet 4.6 at $3/$15 per M: 20K in + 1K out = 7.5 cents, past the 5-cent budget.
      model.push([
        {
          content: [
            {
              type: 'tool_use',
              name: 'bash',
              input: { command: `while [ ! -e ${gate} ]; do sleep 0.05; done; echo ok` },
            },
          ],
          usage: { input_tokens: 20_000, output_tokens: 1_000 },
        },
        { content: [{ type: 'text', text: 'after the tool' }] },
      ]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
      });
      await stream.until((event) => event.type === 'agent.tool_use', 60_000);
      // The bash call is still running: the session record changes under the turn.
      await client.beta.sessions.update(session.id, { budget: limit('100') });
      writeFileSync(gate, '');
      const rest = await stream.until(isIdle, 60_000);
      stream.close();
      const idle = rest.at(-1) as { stop_reason?: { type: string } };
      assert.equal(
        idle.stop_reason?.type,
        'end_turn',
        'the raised budget was seen before the next model call',
      );
      assert.ok(rest.some((event) => event.type === 'agent.message'));
    });
  });
}
