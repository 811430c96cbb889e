import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { collectGarbage, createIdleMemory, trackIdle } from '../../src/compose/idle-memory.js';
import { loadConfig } from '../../src/config/config.js';

/** A clock and one-shot timers the test moves by hand: no real time passes, nothing races. */
function manualTime() {
  let now = 0;
  const timers: Array<{ at: number; run: () => void; cancelled: boolean }> = [];
  return {
    /** The loop counts as idle unless a test says otherwise (this process's own loop is busy). */
    measureLoad: () => () => 0,
    now: () => now,
    armed: () => timers.filter((timer) => !timer.cancelled).length,
    armedTotal: () => timers.length,
    setTimer(run: () => void, ms: number) {
      const timer = { at: now + ms, run, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    /** Moves the clock to `to`, running every due timer in order. */
    advance(to: number) {
      for (;;) {
        const due = timers
          .filter((timer) => !timer.cancelled && timer.at <= to)
          .sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        due.cancelled = true;
        due.run();
      }
      now = to;
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('idle memory: one collection per quiet spell (issue #21, decision 0028)', () => {
  it('does not collect while requests keep coming, then once when they stop', () => {
    const time = manualTime();
    let collections = 0;
    const idle = createIdleMemory({ idleMs: 5_000, collect: () => ++collections > 0, ...time });
    // Load: a request every 100 ms for 60 s. The deadline keeps moving; one timer at a time.
    for (let at = 0; at < 60_000; at += 100) {
      time.advance(at);
      idle.activity();
      assert.ok(time.armed() <= 1, 'at most one timer armed');
    }
    assert.equal(collections, 0, 'no collection under load');
    // Each timer that came due found recent activity and re-armed once: far fewer than the requests.
    assert.ok(time.armedTotal() <= 13, `timers armed: ${time.armedTotal()}`);
    time.advance(59_900 + 4_999);
    assert.equal(collections, 0, 'not before the quiet period is over');
    time.advance(59_900 + 5_000);
    assert.equal(collections, 1);
    assert.equal(idle.pending(), false, 'nothing armed once collected');
    time.advance(200_000);
    assert.equal(collections, 1, 'a node that stays quiet collects once');
    idle.activity();
    time.advance(205_000);
    assert.equal(collections, 2, 'busy again, then quiet again: once more');
  });

  it('tries again after another quiet period when V8 gave nothing back, at most three times', () => {
    const time = manualTime();
    const results = [false, true];
    let collections = 0;
    const idle = createIdleMemory({ idleMs: 1_000, collect: () => results[collections++] ?? false, ...time });
    idle.activity();
    time.advance(1_000);
    assert.equal(collections, 1);
    assert.equal(idle.pending(), true, 'nothing given back: another try is armed');
    time.advance(2_000);
    assert.equal(collections, 2);
    assert.equal(idle.pending(), false, 'given back: done until the next activity');
    // Never succeeding: three tries per quiet period, then it waits for activity.
    const never = createIdleMemory({ idleMs: 1_000, collect: () => ++collections < 0, ...time });
    collections = 0;
    never.activity();
    time.advance(100_000);
    assert.equal(collections, 3);
    assert.equal(never.pending(), false);
  });

  it('does not collect while the loop is busy without requests (turns running, streams written)', () => {
    const time = manualTime();
    let collections = 0;
    let busyShare = 0.5;
    const idle = createIdleMemory({
      idleMs: 1_000,
      collect: () => ++collections > 0,
      ...time,
      measureLoad: () => () => busyShare,
    });
    idle.activity();
    time.advance(30_000);
    assert.equal(collections, 0, 'a busy loop is not quiet');
    assert.equal(idle.pending(), true, 'still watching');
    busyShare = 0.001;
    time.advance(32_000);
    assert.equal(collections, 1, 'quiet once the loop is');
  });

  it('stop cancels a pending collection', () => {
    const time = manualTime();
    let collections = 0;
    const idle = createIdleMemory({ idleMs: 1_000, collect: () => ++collections > 0, ...time });
    idle.activity();
    idle.stop();
    time.advance(10_000);
    idle.activity();
    time.advance(20_000);
    assert.equal(collections, 0);
  });

  it('counts each request of a Fastify app as activity, and collects after it', async () => {
    let collections = 0;
    const app = Fastify();
    app.get('/ping', async () => ({ ok: true }));
    // The test's own polling keeps this loop a few % busy in a 20 ms window: judged idle here.
    const idle = trackIdle(app, { idleMs: 20, collect: () => ++collections > 0, measureLoad: () => () => 0 });
    try {
      assert.equal(idle.pending(), false);
      const response = await app.inject({ method: 'GET', url: '/ping' });
      assert.equal(response.statusCode, 200);
      await until(() => collections === 1, 'the collection after the request');
      assert.equal(idle.pending(), false);
    } finally {
      idle.stop();
      await app.close();
    }
  });

  it('collects garbage without leaving gc exposed to contexts made later', () => {
    assert.equal(typeof collectGarbage(), 'boolean');
    assert.equal(runInNewContext('typeof gc'), 'undefined');
  });

  it('PADDOCK_IDLE_GC_MS: 5 s by default, 0 turns it off', () => {
    assert.equal(loadConfig({}).idleGcMs, 5_000);
    assert.equal(loadConfig({ PADDOCK_IDLE_GC_MS: '0' }).idleGcMs, 0);
    assert.throws(() => loadConfig({ PADDOCK_IDLE_GC_MS: '-1' }), /PADDOCK_IDLE_GC_MS/);
  });
});
