import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../../src/config/config.js';
import type { SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';
import { createProcessDriver } from '../../src/sandbox/process/process-driver.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';

const VALUE = 'sk-env-secret-VALUE-0123456789';

/**
 * An environment_variable credential, end to end over the official SDK: the
 * session's sandbox spec carries it as a secret, the sandbox (process
 * driver) sees only the placeholder, and no event ever holds the value.
 */
describe('environment_variable credentials reach the sandbox as placeholders', () => {
  let fixture: HarnessFixture;
  let dataDir: string;
  const specs: SandboxSpec[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'paddock-env-secrets-'));
    const inner = createProcessDriver(
      loadConfig({ PADDOCK_DATA_DIR: dataDir, PADDOCK_SANDBOX: 'process', PADDOCK_SANDBOX_IDLE_MS: '0' }),
      { log: () => {} },
    );
    const recording: SandboxDriver = {
      ...inner,
      name: inner.name,
      acquire: (spec) => {
        specs.push(spec);
        return inner.acquire(spec);
      },
      destroy: (sessionId) => inner.destroy(sessionId),
      close: () => inner.close(),
    };
    fixture = await startHarnessFixture('sqlite', [], { sandboxes: recording });
  });
  after(async () => {
    await fixture?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rejects a secret_name that is not an environment variable name, naming the field', async () => {
    const vault = await fixture.client.beta.vaults.create({ display_name: 'bad names' });
    await assert.rejects(
      fixture.client.beta.vaults.credentials.create(vault.id, {
        auth: {
          type: 'environment_variable',
          secret_name: '1-BAD NAME',
          secret_value: 'x',
          networking: { type: 'unrestricted' },
        },
      }),
      (error: unknown) => error instanceof Anthropic.BadRequestError && /secret_name/.test(error.message),
    );
  });

  it('builds the secret from the first vault holding the name; the sandbox sees only the placeholder', async () => {
    const { client, model } = fixture;
    const first = await client.beta.vaults.create({ display_name: 'first' });
    const second = await client.beta.vaults.create({ display_name: 'second' });
    const credential = await client.beta.vaults.credentials.create(first.id, {
      auth: {
        type: 'environment_variable',
        secret_name: 'MY_TOKEN',
        secret_value: VALUE,
        injection_location: { header: true, body: true },
        networking: { type: 'limited', allowed_hosts: ['api.example.com', '*.example.org'] },
      },
    });
    await client.beta.vaults.credentials.create(second.id, {
      auth: {
        type: 'environment_variable',
        secret_name: 'MY_TOKEN',
        secret_value: 'the-second-vault-loses',
        networking: { type: 'unrestricted' },
      },
    });
    const agent = await client.beta.agents.create({
      name: 'env secrets',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401' }],
    });
    const environment = await client.beta.environments.create({
      name: `env-${Math.random().toString(36).slice(2)}`,
      config: { type: 'cloud', networking: { type: 'unrestricted' } },
    });
    const session = await client.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      vault_ids: [first.id, second.id],
    });
    model.push([
      {
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo "token=$MY_TOKEN"' } }],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    const stream = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'print the token' }] }],
    });
    const events = await stream.until(isIdle);
    stream.close();

    const spec = specs.find((candidate) => candidate.sessionId === session.id);
    assert.equal(spec?.secrets?.length, 1);
    const [secret] = spec?.secrets ?? [];
    assert.equal(secret?.name, 'MY_TOKEN');
    assert.equal(secret?.value, VALUE);
    assert.deepEqual(secret?.hosts, ['api.example.com', '*.example.org']);
    assert.equal(secret?.header, true);
    assert.equal(secret?.body, true);
    assert.match(secret?.placeholder ?? '', /^paddock-secret-[0-9a-f]{24}$/);
    assert.ok(!secret?.placeholder.includes(credential.id));

    const result = events.find((event) => event.type === 'agent.tool_result');
    assert.equal(result?.['content']?.[0]?.text, `token=${secret?.placeholder}`);
    const all = [];
    for await (const event of client.beta.sessions.events.list(session.id)) all.push(event);
    assert.ok(!JSON.stringify(all).includes(VALUE), 'no event holds the value');
    assert.ok(!JSON.stringify(model.requests()).includes(VALUE), 'the model never sees the value');
  });
});
