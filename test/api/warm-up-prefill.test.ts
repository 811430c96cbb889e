import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';
import { createPaddock } from '../../src/server.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { isIdle, openEventReader, startHarnessFixture } from '../support/harness-fixture.js';
import { recordingDriver } from '../support/recording-driver.js';
import { TEST_ADMIN_KEY, testServerConfig } from '../support/server.js';

/**
 * A driver that records what it is told to expect (SandboxDriver.expect) and each acquire, in
 * order; its warm-up (what `paddock serve` runs after listen) waits until the test releases it.
 */
function expectingDriver() {
  const calls: Array<{ call: 'expect' | 'acquire'; spec: SandboxSpec }> = [];
  const acquired: SandboxSpec[] = [];
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const state = { warmCalls: 0 };
  const inner = recordingDriver(acquired);
  const driver: SandboxDriver & { warm(): Promise<void> } = {
    ...inner,
    async acquire(spec) {
      calls.push({ call: 'acquire', spec });
      return inner.acquire(spec);
    },
    expect(spec) {
      calls.push({ call: 'expect', spec });
    },
    async warm() {
      state.warmCalls++;
      await gate;
    },
  };
  const expects = () => calls.filter((entry) => entry.call === 'expect').map((entry) => entry.spec);
  return { driver, calls, expects, state, release };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const dialect of DIALECTS) {
  describe(`sandbox pool prefill and expectations (issue #21, ${dialect})`, () => {
    let database: TestDatabase;
    let environmentId = '';
    const config = () =>
      testServerConfig(database.dataDir, { databaseUrl: dialect === 'postgres' ? database.url : undefined });
    before(async () => {
      database = await createTestDatabase(dialect);
      // A session created a moment ago, in an environment configured unlike the default.
      const seeding = await createPaddock({
        config: config(),
        store: await database.open(),
        harness: { sandboxes: recordingDriver([]) },
        runHarness: false,
      });
      try {
        const client = new Anthropic({
          baseURL: await seeding.listen(),
          apiKey: TEST_ADMIN_KEY,
          maxRetries: 0,
        });
        const agent = await client.beta.agents.create({
          name: 'prefill',
          model: 'claude-sonnet-4-6',
          tools: [{ type: 'agent_toolset_20260401' }],
        });
        const environment = await client.beta.environments.create({
          name: 'recently used',
          config: { type: 'cloud', networking: { type: 'limited', allowed_hosts: ['example.com'] } },
        });
        environmentId = environment.id;
        await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      } finally {
        await seeding.close();
      }
    });
    after(async () => database.drop());

    it('after the driver warm-up, expects the default key then a recently used environment; /health does not wait', async () => {
      const expecting = expectingDriver();
      const paddock = await createPaddock({
        config: config(),
        store: await database.open(),
        harness: { sandboxes: expecting.driver },
        warmUp: true,
      });
      try {
        const url = await paddock.listen();
        await until(() => expecting.state.warmCalls === 1, 'the warm-up to reach the sandbox driver');
        assert.equal((await fetch(`${url}/health`)).status, 200);
        assert.deepEqual(expecting.expects(), [], 'nothing is expected before the driver is made');
        expecting.release();
        await until(() => expecting.expects().length === 2, 'the prefill');
        const [fresh, recent] = expecting.expects();
        assert.deepEqual(fresh?.network, { type: 'unrestricted' });
        assert.equal(recent?.environmentId, environmentId);
        assert.deepEqual(recent?.network.allowed_hosts, ['example.com']);
        assert.ok(expecting.expects().every((spec) => spec.sessionId.startsWith('prefill-')));
      } finally {
        expecting.release();
        await paddock.close();
      }
      assert.equal(expecting.calls.filter((entry) => entry.call === 'acquire').length, 0);
    });

    it('expects at most PADDOCK_SANDBOX_POOL_PREFILL, and nothing when it is 0 or the pool is off', async () => {
      for (const [overrides, count] of [
        [{ prefill: 1 }, 1],
        [{ prefill: 0 }, 0],
        [{ size: 0 }, 0],
      ] as const) {
        const expecting = expectingDriver();
        expecting.release();
        const base = config();
        const paddock = await createPaddock({
          config: { ...base, sandboxPool: { ...base.sandboxPool, ...overrides } },
          store: await database.open(),
          harness: { sandboxes: expecting.driver },
          warmUp: true,
        });
        await paddock.listen();
        await until(() => expecting.state.warmCalls === 1, 'the warm-up');
        // close() waits for the warm-up, prefill included.
        await paddock.close();
        assert.equal(expecting.expects().length, count, JSON.stringify(overrides));
      }
    });

    it("a session's turn expects its sandbox before its first tool call, once", async () => {
      const expecting = expectingDriver();
      const fixture = await startHarnessFixture(dialect, [], { sandboxes: expecting.driver });
      try {
        const { client, model } = fixture;
        const agent = await client.beta.agents.create({
          name: 'expect',
          model: 'claude-sonnet-4-6',
          tools: [{ type: 'agent_toolset_20260401' }],
        });
        const environment = await client.beta.environments.create({
          name: 'expected',
          config: { type: 'cloud', networking: { type: 'unrestricted' } },
        });
        const session = await client.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
        });
        for (let turn = 0; turn < 2; turn++) {
          model.push([
            { content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo hi' } }] },
            { content: [{ type: 'text', text: 'done' }] },
          ]);
          const reader = await openEventReader(client, session.id);
          try {
            await client.beta.sessions.events.send(session.id, {
              events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
            });
            await reader.until(isIdle, 60_000);
          } finally {
            reader.close();
          }
        }
        const calls = expecting.calls.filter((entry) => entry.spec.sessionId === session.id);
        assert.equal(calls[0]?.call, 'expect');
        assert.equal(calls.filter((entry) => entry.call === 'expect').length, 1);
        assert.ok(calls.some((entry) => entry.call === 'acquire'));
        assert.equal(calls[0]?.spec.environmentId, environment.id);
      } finally {
        expecting.release();
        await fixture.close();
      }
    });
  });
}
