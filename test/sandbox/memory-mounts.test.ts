import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import { runTurn, type StreamEvent } from '../support/harness-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { bwrapCase, TEST_ROOTFS_DIR } from './drivers.js';

/**
 * Memory stores mounted in real bwrap sandboxes, driven by the scripted model: two sessions share
 * one read-write store and see each other's writes (as new versions by session_actor); a
 * read-only mount refuses writes inside the sandbox.
 */
const bwrap = await bwrapCase();
const skip = bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'runs the bwrap driver as root');

const bashTurn = (command: string): ScriptedTurn[] => [
  { content: [{ type: 'tool_use', name: 'bash', input: { command } }] },
  { content: [{ type: 'text', text: 'done' }] },
];

/** The text of the turn's bash result. */
function toolOutput(events: StreamEvent[]): string {
  const result = events.find((event) => event.type === 'agent.tool_result');
  assert.ok(result, `no tool result in ${JSON.stringify(events.map((e) => e.type))}`);
  return JSON.stringify(result['content']);
}

describe('memory stores mounted in bwrap sandboxes', { skip }, () => {
  let model: ScriptedModelServer;
  let server: TestServer;

  before(async () => {
    model = await startScriptedModelServer({ turns: [] });
    const sandbox = loadConfig({ PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR, PADDOCK_SANDBOX_IDLE_MS: '0' }).sandbox;
    server = await startTestServer('sqlite', {
      anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' },
      sandboxDriver: 'bwrap',
      sandbox,
    });
  });
  after(async () => {
    await server?.close();
    await model?.close();
  });

  it('two sessions share a read-write store; a read-only mount refuses writes', async () => {
    const { client } = server;
    const agent = await client.beta.agents.create({
      name: 'memory user',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401' }],
    });
    const environment = await client.beta.environments.create({
      name: `memory-${Math.random().toString(36).slice(2)}`,
      config: { type: 'cloud', networking: { type: 'limited' } },
    });
    const store = await client.beta.memoryStores.create({ name: 'Team Notes' });
    await client.beta.memoryStores.memories.create(store.id, { path: '/seed.md', content: 'seeded' });
    const session = (access: 'read_write' | 'read_only') =>
      client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        resources: [{ type: 'memory_store', memory_store_id: store.id, access }],
      });
    const a = await session('read_write');
    const b = await session('read_write');
    const reader = await session('read_only');

    model.push(
      bashTurn(
        'cat /mnt/memory/team-notes/seed.md && mkdir -p /mnt/memory/team-notes/a && echo from-a > /mnt/memory/team-notes/a/note.md',
      ),
    );
    assert.match(toolOutput(await runTurn(client, a.id)), /seeded/);
    const written = await client.beta.memoryStores.memories.list(store.id, {
      path_prefix: '/a/',
      view: 'full',
    });
    const note = written.data[0];
    assert.ok(note?.type === 'memory' && note.content === 'from-a\n', JSON.stringify(written.data));
    const versions = await client.beta.memoryStores.memoryVersions.list(store.id, { session_id: a.id });
    assert.equal(versions.data[0]?.created_by?.type, 'session_actor');

    // B sees A's write, and appends to it; A's next call sees B's.
    model.push(
      bashTurn('cat /mnt/memory/team-notes/a/note.md && echo from-b >> /mnt/memory/team-notes/a/note.md'),
    );
    assert.match(toolOutput(await runTurn(client, b.id)), /from-a/);
    model.push(bashTurn('cat /mnt/memory/team-notes/a/note.md'));
    assert.match(toolOutput(await runTurn(client, a.id)), /from-a\\nfrom-b/);

    // The read-only mount shows the same files and refuses writes inside the sandbox.
    model.push(
      bashTurn(
        'cat /mnt/memory/team-notes/a/note.md; echo x > /mnt/memory/team-notes/new.md; echo status=$?',
      ),
    );
    const readOnly = toolOutput(await runTurn(client, reader.id));
    assert.match(readOnly, /from-b/);
    assert.match(readOnly, /Read-only file system/);
    assert.match(readOnly, /status=1/);
    const all = await client.beta.memoryStores.memories.list(store.id);
    assert.deepEqual(all.data.map((m) => m.path).sort(), ['/a/note.md', '/seed.md']);

    // A write the store moved past is reported, not lost silently: the API changes the note
    // between B's refresh and B's write cannot happen inside one call here, so check the path
    // the agent cannot store instead (a name the store refuses) surfaces in the tool result.
    model.push(bashTurn('printf x > "/mnt/memory/team-notes/bad\u200bname.md"'));
    assert.match(toolOutput(await runTurn(client, b.id)), /not saved/);
  });
});
