import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { createTestDatabase, DIALECTS } from '../support/databases.js';
import type { StreamEvent } from '../support/harness-fixture.js';
import { childEnv, freePort, spawnPaddock } from '../support/paddock-process.js';

const ADMIN_KEY = 'sk-paddock-spawn-kill-test';

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function listEvents(client: Anthropic, sessionId: string): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId)) events.push(event as StreamEvent);
  return events;
}

/** The request a thread's model call sent, by what its last message says. */
const lastUserText = (body: unknown) => JSON.stringify((body as { messages: unknown[] }).messages.at(-1));

for (const dialect of DIALECTS) {
  describe(`kill -9 during a spawned thread (${dialect})`, () => {
    let model: ScriptedModelServer;
    before(async () => {
      model = await startScriptedModelServer({ turns: [] });
    });
    after(async () => model.close());

    it('resumes the thread from the log: its tool is not re-run and it reports once', async () => {
      const database = await createTestDatabase(dialect);
      const port = await freePort();
      const env = childEnv({
        PADDOCK_DATA_DIR: database.dataDir,
        PADDOCK_PORT: String(port),
        PADDOCK_HOST: '127.0.0.1',
        PADDOCK_ADMIN_KEY: ADMIN_KEY,
        PADDOCK_ANTHROPIC_BASE_URL: model.url,
        ANTHROPIC_API_KEY: 'test-upstream-key',
        PADDOCK_SANDBOX: 'process',
        PADDOCK_LEASE_TTL_MS: '2000',
        ...(dialect === 'postgres' ? { PADDOCK_DATABASE_URL: database.url } : {}),
      });
      let node = await spawnPaddock(env);
      const clientFor = (url: string) => new Anthropic({ baseURL: url, apiKey: ADMIN_KEY, maxRetries: 0 });
      let client = clientFor(node.url);
      // Each run of the thread's command appends a line: a re-run would show as a second line.
      const marker = join(database.dataDir, 'scout-runs.txt');
      try {
        const lead = await client.beta.agents.create({
          name: 'Lead',
          model: 'claude-sonnet-4-6',
          tools: [{ type: 'agent_toolset_20260401' }],
          multiagent: { type: 'multiagent_20261001' },
        });
        const environment = await client.beta.environments.create({ name: `kill-${dialect}` });
        const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
        model.reset();
        model.push([
          {
            match: 'Spawn a scout',
            content: [
              {
                type: 'tool_use',
                name: 'spawn_agent',
                input: {
                  inline_agent: { name: 'Scout', system: 'You are a scout.', tools: ['bash'] },
                  message: 'SCOUT-TASK',
                },
              },
            ],
          },
          { match: 'Spawned', content: [{ type: 'text', text: 'Waiting for the scout.' }] },
          {
            match: 'SCOUT-TASK',
            content: [
              { type: 'tool_use', name: 'bash', input: { command: `echo ran >> ${marker}; echo STEP-DONE` } },
            ],
          },
          // The scout's second call is held until its connection drops (nothing sends the awaited
          // text): the server dies while the call is in flight, however long the kill takes.
          {
            match: 'STEP-DONE',
            content: [{ type: 'text', text: 'SCOUT-FINAL' }],
            wait_for: 'NOTHING-SENDS-THIS',
          },
          { match: 'STEP-DONE', content: [{ type: 'text', text: 'SCOUT-FINAL' }] },
        ]);
        await client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: 'Spawn a scout' }] }],
        });
        await waitFor(
          () => model.requests().some((request) => lastUserText(request.body).includes('STEP-DONE')),
          "the scout's second model call",
        );
        await node.kill();

        node = await spawnPaddock(env);
        client = clientFor(node.url);
        await waitFor(async () => {
          const events = await listEvents(client, session.id);
          const replied = events.some((event) => event.type === 'agent.thread_message_received');
          return replied && (await client.beta.sessions.retrieve(session.id)).status === 'idle';
        }, 'the scout to report and the session to settle');

        const events = await listEvents(client, session.id);
        assert.equal(events.filter((event) => event.type === 'session.thread_created').length, 1);
        const replies = events.filter((event) => event.type === 'agent.thread_message_received');
        assert.equal(replies.length, 1, 'the scout reported once');
        assert.match(JSON.stringify(replies[0]?.content), /SCOUT-FINAL/);
        assert.ok(existsSync(marker));
        assert.equal(readFileSync(marker, 'utf8').trim().split('\n').length, 1, 'the tool ran once');
        const spawns = events.filter(
          (event) => event.type === 'agent.tool_use' && event.name === 'spawn_agent',
        );
        assert.equal(spawns.length, 1);
        // The scout's first call was not made again; only the call cut by the kill was.
        const bodies = model.requests().map((request) => lastUserText(request.body));
        assert.equal(bodies.filter((text) => text.includes('SCOUT-TASK')).length, 1);
        assert.equal(bodies.filter((text) => text.includes('STEP-DONE')).length, 2);
        const threads = (await client.beta.sessions.threads.list(session.id)).data;
        const scout = threads.find((thread) => thread.parent_thread_id !== null);
        assert.equal(scout?.status, 'idle');
        const scoutEvents: StreamEvent[] = [];
        for await (const event of client.beta.sessions.threads.events.list(scout?.id ?? '', {
          session_id: session.id,
        }))
          scoutEvents.push(event as StreamEvent);
        assert.equal(scoutEvents.filter((event) => event.type === 'agent.tool_use').length, 1);
        assert.equal(scoutEvents.filter((event) => event.type === 'agent.message').length, 1);
      } finally {
        await node.kill();
        await database.drop();
      }
    });
  });
}
