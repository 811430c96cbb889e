import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../../src/config/config.js';
import { bwrapCase, TEST_ROOTFS_DIR } from '../sandbox/drivers.js';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, runTurn, startHarnessFixture } from '../support/harness-fixture.js';

// Environments fail fast (#16): package builds start when an environment is written, with the
// status and log on GET /v1/environments/{id}/build. Real bwrap builds: they need the network
// (the Debian mirror) and a root server, like test/sandbox/package-layers.test.ts.
const bwrap = await bwrapCase();
const skip =
  bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'package layers are built by a root server here');
const BUILD = { timeout: 600_000 };

interface BuildStatus {
  type: 'environment_build';
  environment_id: string;
  status: 'pending' | 'building' | 'ready' | 'failed';
  log_tail: string;
  updated_at: string | null;
}

const buildOf = (client: Anthropic, environmentId: string) =>
  client.get<BuildStatus>(`/v1/environments/${environmentId}/build`);

/** Polls the build route until the build has an outcome (a condition, not a duration). */
async function settled(client: Anthropic, environmentId: string): Promise<BuildStatus> {
  for (;;) {
    const build = await buildOf(client, environmentId);
    if (build.status === 'ready' || build.status === 'failed') return build;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const limitedWith = (apt: string[]) => ({
  type: 'cloud' as const,
  networking: { type: 'limited' as const, allow_package_managers: true },
  packages: { type: 'packages' as const, apt },
});

for (const dialect of DIALECTS) {
  describe(`environment builds fail fast (${dialect})`, { skip }, () => {
    let fixture: HarnessFixture;
    before(async () => {
      const sandbox = loadConfig({
        PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR,
        PADDOCK_SANDBOX_IDLE_MS: '0',
      }).sandbox;
      fixture = await startHarnessFixture(dialect, [], {}, { sandboxDriver: 'bwrap', sandbox });
    });
    after(async () => fixture?.close());

    it(
      'a bad package fails once, with its log, before any session; a session gets one session.error and no rebuild',
      BUILD,
      async () => {
        const { client, model } = fixture;
        const environment = await client.beta.environments.create({
          name: `bad-${dialect}`,
          config: limitedWith(['paddock-no-such-package']),
        });
        const failed = await settled(client, environment.id);
        assert.equal(failed.status, 'failed');
        assert.equal(failed.environment_id, environment.id);
        assert.match(failed.log_tail, /paddock-no-such-package/);
        assert.doesNotMatch(failed.log_tail, new RegExp(TEST_ROOTFS_DIR));

        const agent = await client.beta.agents.create({
          name: 'builder',
          model: 'claude-sonnet-4-6',
          tools: [{ type: 'agent_toolset_20260401' }],
        });
        const session = await client.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
        });
        const bash = { content: [{ type: 'tool_use' as const, name: 'bash', input: { command: 'true' } }] };
        model.push([
          { ...bash, stop_reason: 'tool_use' },
          { ...bash, stop_reason: 'tool_use' },
          { content: [{ type: 'text', text: 'gave up' }] },
        ]);
        const events = await runTurn(client, session.id);
        const errors = events.filter((event) => event.type === 'session.error');
        assert.equal(errors.length, 1, JSON.stringify(errors));
        assert.equal(errors[0]?.['error']?.error_code, 'environment_build_failed');
        assert.match(errors[0]?.['error']?.message, new RegExp(`environment ${environment.id}`));
        const results = events.filter((event) => event.type === 'agent.tool_result');
        assert.equal(results.length, 2);
        for (const result of results) {
          assert.equal(result['is_error'], true);
          const text = JSON.stringify(result['content']);
          assert.match(text, /failed to build/);
          assert.doesNotMatch(text, /\/var\/|\/tmp\//, 'no host path reaches the model');
        }
        // Not rebuilt: the stored outcome is the one from before the session.
        assert.deepEqual(await buildOf(client, environment.id), failed);
      },
    );

    it('a good environment reaches ready; changing the packages resets the status', BUILD, async () => {
      const { client } = fixture;
      const environment = await client.beta.environments.create({
        name: `good-${dialect}`,
        config: limitedWith(['jq']),
      });
      const ready = await settled(client, environment.id);
      assert.equal(ready.status, 'ready', ready.log_tail);

      const changed = await client.beta.environments.update(environment.id, {
        config: limitedWith(['paddock-no-such-package-either']),
      });
      assert.equal(changed.id, environment.id);
      const fresh = await buildOf(client, environment.id);
      assert.ok(fresh.status === 'pending' || fresh.status === 'building', fresh.status);
      const failed = await settled(client, environment.id);
      assert.equal(failed.status, 'failed');
      assert.match(failed.log_tail, /paddock-no-such-package-either/);

      // Back to the good packages: their outcome is known, nothing is built again.
      await client.beta.environments.update(environment.id, { config: limitedWith(['jq']) });
      assert.deepEqual(await buildOf(client, environment.id), ready);
    });
  });
}
