import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';
import { detectCgroups } from '../../src/sandbox/bwrap/cgroups.js';
import {
  createSession,
  type HarnessFixture,
  runTurn,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { recordingDriver } from '../support/recording-driver.js';
import { bwrapCase, spec, textOf, tool } from './drivers.js';

describe('per-environment sandbox limits (metadata paddock.*)', () => {
  let fixture: HarnessFixture;
  const specs: SandboxSpec[] = [];
  before(async () => {
    fixture = await startHarnessFixture('sqlite', [], { sandboxes: recordingDriver(specs) });
  });
  after(async () => fixture?.close());

  const createEnvironment = (metadata: Record<string, string>) =>
    fixture.client.beta.environments.create({
      name: `env-${Math.random().toString(36).slice(2)}`,
      config: { type: 'cloud', networking: { type: 'limited' } },
      metadata,
    });

  it('refuses bad values, unknown keys and values above the ceiling, naming the key', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'paddock.memory_mb': 'lots' }, /metadata\.paddock\.memory_mb: expected an integer/],
      [{ 'paddock.pids': '2.5' }, /metadata\.paddock\.pids: expected an integer/],
      [{ 'paddock.cpus': '0' }, /metadata\.paddock\.cpus: expected a number of at least 0\.05/],
      [{ 'paddock.memory_mb': '999999999' }, /metadata\.paddock\.memory_mb: .* above this server's ceiling/],
      [{ 'paddock.memroy_mb': '512' }, /metadata\.paddock\.memroy_mb: unknown Paddock key/],
      [{ 'paddock.shells': '0' }, /metadata\.paddock\.shells: expected an integer of at least 1/],
      [{ 'paddock.shells': '1000' }, /metadata\.paddock\.shells: 1000 is above this server's ceiling of 128/],
    ];
    for (const [metadata, message] of cases) {
      const error = await createEnvironment(metadata).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof Anthropic.BadRequestError, JSON.stringify(metadata));
      assert.match(error.message, message);
    }
    const fine = await createEnvironment({ 'paddock.cpus': '1' });
    await assert.rejects(
      fixture.client.beta.environments.update(fine.id, { metadata: { 'paddock.pids': '-3' } }),
      /metadata\.paddock\.pids/,
    );
    // Other metadata is untouched by these rules.
    assert.ok(await createEnvironment({ team: 'platform', 'paddock-like': 'x' }));
  });

  it("a session's sandbox gets its environment's limits", async () => {
    const { client, model } = fixture;
    const { agent } = await createSession(client);
    const environment = await createEnvironment({
      'paddock.memory_mb': '512',
      'paddock.pids': '128',
      'paddock.cpus': '0.5',
    });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    model.push([
      { content: [{ type: 'tool_use', name: 'bash', input: { command: 'true' } }], stop_reason: 'tool_use' },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    await runTurn(client, session.id);
    const recorded = specs.find((entry) => entry.sessionId === session.id);
    assert.deepEqual(recorded?.limits, { memoryBytes: 512 * 1024 * 1024, pids: 128, cpus: 0.5 });
  });
});

const bwrap = await bwrapCase();
const cgroups = bwrap.skip ? undefined : await detectCgroups();
const skip = bwrap.skip ?? (cgroups?.available ? undefined : 'cgroups are not writable here');

describe('a spec limit is enforced by the bwrap driver', { skip }, () => {
  let driver: SandboxDriver;
  let config: PaddockConfig;
  before(async () => {
    ({ driver, config } = await bwrap.create());
  });
  after(async () => {
    await driver?.close();
    if (config) await rm(config.dataDir, { recursive: true, force: true });
  });

  it('256 MiB: a 400 MiB allocation is killed, a 100 MiB one is not', async () => {
    const small = await driver.acquire({ ...spec('lim1'), limits: { memoryBytes: 256 * 1024 * 1024 } });
    const allocate = (mib: number) =>
      tool(small, 'bash', {
        command: `python3 -c "b = bytearray(${mib} * 1024**2); print('allocated', len(b))"`,
      });
    assert.match(textOf(await allocate(100)), /allocated 104857600/);
    const outcome = await allocate(400);
    assert.ok(!textOf(outcome).includes('allocated 419430400'), textOf(outcome));
  });
});
