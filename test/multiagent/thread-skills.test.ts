import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { toFile } from '@anthropic-ai/sdk';
import { loadConfig } from '../../src/config/config.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { bwrapCase, TEST_ROOTFS_DIR } from '../sandbox/drivers.js';
import { DIALECTS } from '../support/databases.js';
import type { StreamEvent } from '../support/harness-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Every thread's own skills, in a real bwrap sandbox with the scripted model: a roster agent's
 * (coordinator) or a predefined subagent's skills are pinned at session start, mounted in the
 * session's one sandbox and announced in that thread's system prompt only; inline agents get none.
 */
const bwrap = await bwrapCase();
const skip = bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'runs the bwrap driver as root');

const skillMd = (name: string, description: string, body: string) =>
  `---\nname: ${name}\ndescription: ${description}\n---\n\n${body}\n`;

async function uploadSkill(client: Anthropic, name: string, description: string, body: string) {
  return client.beta.skills.create({
    files: [await toFile(Buffer.from(skillMd(name, description, body)), `${name}/SKILL.md`)],
  });
}

/** Polls (the wait is not the assertion) until `done` holds and the session is idle. */
async function eventsWhen(
  client: Anthropic,
  sessionId: string,
  done: (events: StreamEvent[]) => boolean,
): Promise<StreamEvent[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const events: StreamEvent[] = [];
    for await (const event of client.beta.sessions.events.list(sessionId)) events.push(event as StreamEvent);
    if ((await client.beta.sessions.retrieve(sessionId)).status === 'idle' && done(events)) return events;
    if (Date.now() > deadline) throw new Error(`not done: ${events.map((e) => e.type).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every tool result of every thread of the session (a child thread's are on its own stream). */
async function resultsText(client: Anthropic, sessionId: string): Promise<string> {
  const results: unknown[] = [];
  for (const thread of (await client.beta.sessions.threads.list(sessionId)).data)
    for await (const event of client.beta.sessions.threads.events.list(thread.id, { session_id: sessionId }))
      if (event.type === 'agent.tool_result') results.push(event.content);
  return JSON.stringify(results);
}

/** The system prompt of the first model request whose last message holds `marker`. */
function systemFor(model: ScriptedModelServer, marker: string): string {
  const request = model
    .requests()
    .map((each) => each.body as { system?: unknown; messages: unknown[] })
    .find((body) => JSON.stringify(body.messages.at(-1)).includes(marker));
  assert.ok(request, `a model request ending with ${marker}`);
  return JSON.stringify(request.system);
}

for (const dialect of DIALECTS) {
  describe(`every thread's skills (${dialect})`, { skip }, () => {
    let model: ScriptedModelServer;
    let server: TestServer;
    let environmentId: string;
    before(async () => {
      model = await startScriptedModelServer({ turns: [] });
      server = await startTestServer(dialect, {
        anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' },
        sandboxDriver: 'bwrap',
        sandbox: loadConfig({ PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR, PADDOCK_SANDBOX_IDLE_MS: '0' }).sandbox,
      });
      const environment = await server.client.beta.environments.create({
        name: `thread-skills-${dialect}`,
        config: { type: 'cloud', networking: { type: 'limited' } },
      });
      environmentId = environment.id;
    });
    after(async () => {
      await server?.close();
      await model?.close();
    });

    it('a predefined subagent gets its own pinned skills; the primary keeps its own, an inline agent none', async () => {
      const { client } = server;
      const leadSkill = await uploadSkill(client, 'lead-notes', 'LEAD-SKILL-DESCRIPTION', 'LEAD-BODY');
      const helperSkill = await uploadSkill(client, 'helper-recipes', 'HELPER-SKILL-V1', 'HELPER-BODY-V1');
      const helper = await client.beta.agents.create({
        name: 'Helper',
        model: 'claude-sonnet-4-6',
        system: 'You help.',
        tools: [{ type: 'agent_toolset_20260401' }],
        skills: [{ type: 'custom', skill_id: helperSkill.id }],
      });
      const lead = await client.beta.agents.create({
        name: 'Lead',
        model: 'claude-sonnet-4-6',
        system: 'You lead.',
        tools: [{ type: 'agent_toolset_20260401' }],
        skills: [{ type: 'custom', skill_id: leadSkill.id }],
        multiagent: {
          type: 'multiagent_20261001',
          subagents: { type: 'enabled', predefined_agents: [helper.id] },
        },
      });
      const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environmentId });
      // Pinned at session start: a version uploaded afterwards is not what the thread runs.
      const multiagent = session.agent.multiagent as {
        subagents: { predefined_agents: Array<{ skills: Array<{ version: string }> }> };
      };
      const pinned = multiagent.subagents.predefined_agents[0]?.skills[0]?.version;
      assert.match(pinned ?? '', /^skillver_/);
      await client.beta.skills.versions.create(helperSkill.id, {
        files: [
          await toFile(
            Buffer.from(skillMd('helper-recipes', 'HELPER-SKILL-V2', 'HELPER-BODY-V2')),
            'helper-recipes/SKILL.md',
          ),
        ],
      });
      model.push([
        {
          match: `Split ${dialect}`,
          content: [
            { type: 'tool_use', name: 'spawn_agent', input: { agent: 'Helper', message: 'HELPER-TASK' } },
            {
              type: 'tool_use',
              name: 'spawn_agent',
              input: {
                inline_agent: { name: 'Scout', system: 'You scout.', tools: ['bash'] },
                message: 'SCOUT-TASK',
              },
            },
          ],
        },
        {
          match: 'HELPER-TASK',
          content: [
            {
              type: 'tool_use',
              name: 'bash',
              input: { command: 'cat /mnt/skills/helper-recipes/SKILL.md; ls /mnt/skills' },
            },
          ],
        },
        {
          match: 'SCOUT-TASK',
          content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo SCOUT-LS; ls /mnt/skills' } }],
        },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: `Split ${dialect}` }] }],
      });
      await eventsWhen(
        client,
        session.id,
        (seen) => seen.filter((event) => event.type === 'agent.thread_message_received').length >= 2,
      );
      // Mounted in the session's one sandbox: the helper read its skill's pinned SKILL.md.
      const results = await resultsText(client, session.id);
      assert.match(results, /HELPER-BODY-V1/);
      assert.doesNotMatch(results, /HELPER-BODY-V2/);
      assert.match(results, /helper-recipes/);
      assert.match(results, /lead-notes/, 'the primary skill is mounted beside it');
      // Announced in each thread's own prompt.
      const helperSystem = systemFor(model, 'HELPER-TASK');
      assert.match(helperSystem, /You help\./);
      assert.match(
        helperSystem,
        /helper-recipes \(\/mnt\/skills\/helper-recipes\/SKILL\.md\): HELPER-SKILL-V1/,
      );
      assert.doesNotMatch(helperSystem, /lead-notes/);
      const leadSystem = systemFor(model, `Split ${dialect}`);
      assert.match(leadSystem, /lead-notes \(\/mnt\/skills\/lead-notes\/SKILL\.md\): LEAD-SKILL-DESCRIPTION/);
      assert.doesNotMatch(leadSystem, /helper-recipes/);
      const scoutSystem = systemFor(model, 'SCOUT-TASK');
      assert.match(scoutSystem, /You scout\./);
      assert.doesNotMatch(scoutSystem, /available_skills/);
    });

    it("a coordinator roster agent's skills are mounted and announced in its thread", async () => {
      const { client } = server;
      const workerSkill = await uploadSkill(
        client,
        'worker-manual',
        'WORKER-SKILL-DESCRIPTION',
        'WORKER-BODY',
      );
      const worker = await client.beta.agents.create({
        name: 'Worker',
        model: 'claude-sonnet-4-6',
        system: 'You work.',
        tools: [{ type: 'agent_toolset_20260401' }],
        skills: [{ type: 'custom', skill_id: workerSkill.id }],
      });
      const boss = await client.beta.agents.create({
        name: 'Boss',
        model: 'claude-sonnet-4-6',
        system: 'You delegate.',
        multiagent: { type: 'coordinator', agents: [worker.id] },
      });
      const session = await client.beta.sessions.create({ agent: boss.id, environment_id: environmentId });
      const roster = session.agent.multiagent as { agents: Array<{ skills: Array<{ version: string }> }> };
      assert.match(roster.agents[0]?.skills[0]?.version ?? '', /^skillver_/);
      model.push([
        {
          match: `Delegate ${dialect}`,
          content: [
            { type: 'tool_use', name: 'send_to_agent', input: { agent: 'Worker', message: 'WORKER-TASK' } },
          ],
        },
        {
          match: 'WORKER-TASK',
          content: [
            { type: 'tool_use', name: 'bash', input: { command: 'cat /mnt/skills/worker-manual/SKILL.md' } },
          ],
        },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: `Delegate ${dialect}` }] }],
      });
      await eventsWhen(client, session.id, (seen) =>
        seen.some((event) => event.type === 'agent.thread_message_received'),
      );
      assert.match(await resultsText(client, session.id), /WORKER-BODY/);
      const workerSystem = systemFor(model, 'WORKER-TASK');
      assert.match(
        workerSystem,
        /worker-manual \(\/mnt\/skills\/worker-manual\/SKILL\.md\): WORKER-SKILL-DESCRIPTION/,
      );
      assert.doesNotMatch(systemFor(model, `Delegate ${dialect}`), /worker-manual/);
    });
  });
}
