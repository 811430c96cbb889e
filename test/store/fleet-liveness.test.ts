import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIALECTS, storePerSuite } from '../support/databases.js';

/** The ownership rule lives in one lease statement; these are its cases, on both dialects. */
const T = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();
const TTL = 10;

for (const dialect of DIALECTS) {
  describe(`fleet liveness (${dialect})`, () => {
    const suite = storePerSuite(dialect);

    /** node-b tries to take `session` at `now`, counting heartbeats since now - TTL as live. */
    const takeByB = (session: string, now: number) =>
      suite.store.leases.acquire(session, 'node-b', T(now + 30), T(now), T(now - TTL));

    it('a handed-off session stays with its live owner, however late the owner comes back', async () => {
      await suite.store.fleet.beat('node-a', 'live', T(0));
      assert.equal(await suite.store.leases.acquire('s1', 'node-a', T(30), T(0), T(-TTL)), true);
      await suite.store.leases.handOff('s1', 'node-a');
      assert.equal(await takeByB('s1', 5), false, 'node-a beat 5 s ago');
      await suite.store.fleet.beat('node-a', 'live', T(20));
      assert.equal(await takeByB('s1', 25), false, 'node-a beat 5 s ago again');
      assert.equal(
        await suite.store.leases.acquire('s1', 'node-a', T(60), T(26), T(16)),
        true,
        'the owner takes it back',
      );
    });

    it('is taken over once the owner stopped beating', async () => {
      await suite.store.fleet.beat('node-c', 'live', T(0));
      assert.equal(await suite.store.leases.acquire('s2', 'node-c', T(30), T(0), T(-TTL)), true);
      await suite.store.leases.handOff('s2', 'node-c');
      assert.equal(await takeByB('s2', TTL + 1), true);
      assert.equal((await suite.store.leases.holder('s2'))?.owner, 'node-b');
    });

    it('a running lease holds even when its node looks dead, until it expires', async () => {
      await suite.store.fleet.beat('node-d', 'live', T(0));
      assert.equal(await suite.store.leases.acquire('s3', 'node-d', T(30), T(0), T(-TTL)), true);
      assert.equal(await takeByB('s3', 20), false, 'lease runs to 30 s');
      assert.equal(await takeByB('s3', 31), true);
    });

    it('a draining or gone owner lets go at once; a running turn of a draining node is still its own', async () => {
      await suite.store.fleet.beat('node-e', 'live', T(0));
      assert.equal(await suite.store.leases.acquire('s4', 'node-e', T(30), T(0), T(-TTL)), true);
      await suite.store.fleet.beat('node-e', 'draining', T(1));
      assert.equal(await takeByB('s4', 2), false, 'the turn still runs under its lease');
      await suite.store.leases.handOff('s4', 'node-e');
      assert.equal(await takeByB('s4', 3), true);
      assert.equal((await suite.store.fleet.get('node-e'))?.state, 'draining');
      await suite.store.fleet.beat('node-e', 'gone', T(4));
      assert.equal((await suite.store.fleet.get('node-e'))?.state, 'gone');
    });

    it('without liveSince (work claims) an expired lease is anyone’s, as before', async () => {
      await suite.store.fleet.beat('node-f', 'live', T(0));
      assert.equal(await suite.store.leases.acquire('s5', 'node-f', T(30), T(0)), true);
      assert.equal(await suite.store.leases.acquire('s5', 'node-b', T(60), T(31)), true);
    });

    it('lists idle sessions whose last event is unanswered input', async () => {
      const session = (id: string, status: string) =>
        suite.store.resources.insert({
          kind: 'session',
          id,
          parentId: null,
          name: null,
          status,
          refId: null,
          refVersion: null,
          createdAt: T(0),
          updatedAt: T(0),
          archivedAt: null,
          doc: {},
        });
      const event = (sessionId: string, type: string) =>
        suite.store.events.append(sessionId, [
          {
            id: `${sessionId}-${type}-${Math.random()}`,
            type,
            threadId: null,
            processedAt: T(0),
            doc: { type },
          },
        ]);
      await session('sesn_waiting', 'idle');
      await event('sesn_waiting', 'session.status_idle');
      await event('sesn_waiting', 'user.message');
      await session('sesn_answered', 'idle');
      await event('sesn_answered', 'user.message');
      await event('sesn_answered', 'session.status_idle');
      await session('sesn_interrupt', 'idle');
      await event('sesn_interrupt', 'user.interrupt');
      await session('sesn_running', 'running');
      await event('sesn_running', 'user.message');
      assert.deepEqual(await suite.store.fleet.sessionsAwaitingInput(10), ['sesn_waiting']);
    });
  });
}
