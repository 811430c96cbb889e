import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';
import { createPaddock, type Paddock } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { recordingDriver } from '../support/recording-driver.js';
import { TEST_ADMIN_KEY, testServerConfig } from '../support/server.js';

/** A driver whose warm-up (what `paddock serve` runs after listen) waits until the test releases it. */
function gatedDriver(specs: SandboxSpec[]) {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const state = { warmCalls: 0, warmDone: false };
  const driver: SandboxDriver & { warm(): Promise<void> } = {
    ...recordingDriver(specs),
    async warm() {
      state.warmCalls++;
      await gate;
      state.warmDone = true;
    },
  };
  return { driver, state, release };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('warm-up after listen (issue #21: no cold first request)', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase('sqlite');
  });
  after(async () => database.drop());

  it('runs in the background: /health answers while it is still warming; it makes no session and no sandbox', async () => {
    const specs: SandboxSpec[] = [];
    const gated = gatedDriver(specs);
    const paddock: Paddock = await createPaddock({
      config: testServerConfig(database.dataDir),
      store: await database.open(),
      harness: { sandboxes: gated.driver },
      warmUp: true,
    });
    let closed = false;
    try {
      const url = await paddock.listen();
      await until(() => gated.state.warmCalls === 1, 'the warm-up to reach the sandbox driver');
      // The driver's warm-up has not finished (the gate is shut), yet the server answers.
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200);
      assert.equal(gated.state.warmDone, false);
      const client = new Anthropic({ baseURL: url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 });
      const agents = await client.beta.agents.list();
      assert.deepEqual(agents.data, []);

      gated.release();
      const closing = paddock.close();
      closed = true;
      await closing;
      assert.equal(gated.state.warmDone, true, 'close waits for the warm-up');
      assert.equal(gated.state.warmCalls, 1);
      // Nothing left behind: no sandbox was acquired, no session or event was written.
      assert.deepEqual(specs, []);
      const store = await database.open();
      try {
        const sessions = await store.resources.list({
          kind: 'session',
          order: 'asc',
          limit: 10,
          includeArchived: true,
        });
        assert.deepEqual(sessions.items, []);
      } finally {
        await store.close();
      }
    } finally {
      gated.release();
      if (!closed) await paddock.close();
    }
  });

  it('is off unless asked for (tests and embedders): the driver is not warmed', async () => {
    const gated = gatedDriver([]);
    gated.release();
    const paddock = await createPaddock({
      config: testServerConfig(database.dataDir),
      store: await database.open(),
      harness: { sandboxes: gated.driver },
    });
    try {
      const url = await paddock.listen();
      assert.equal((await fetch(`${url}/health`)).status, 200);
    } finally {
      await paddock.close();
    }
    assert.equal(gated.state.warmCalls, 0);
  });
});
