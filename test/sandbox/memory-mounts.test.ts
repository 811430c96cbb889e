import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import {
  bwrapSessionSkip,
  bwrapSessionSuite,
  createLimitedEnvironment,
  createToolsetAgent,
  toolOutput,
} from '../support/bwrap-sessions.js';
import { runTurn } from '../support/harness-fixture.js';

/**
 * Memory stores mounted in real bwrap sandboxes, driven by the scripted model: two sessions share
 * one read-write store and see each other's writes (as new versions by session_actor); a
 * read-only mount refuses writes inside the sandbox.
 */
const skip = await bwrapSessionSkip();

const bashTurn = (command: string): ScriptedTurn[] => [
  { content: [{ type: 'tool_use', name: 'bash', input: { command } }] },
  { content: [{ type: 'text', text: 'done' }] },
];

describe('memory stores mounted in bwrap sandboxes', { skip }, () => {
  const served = bwrapSessionSuite();

  it('two sessions share a read-write store; a read-only mount refuses writes', async () => {
    const { server, model } = served;
    const { client } = server;
    const agent = await createToolsetAgent(client, 'memory user');
    const environment = await createLimitedEnvironment(client, 'memory');
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
