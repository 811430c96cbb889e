import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type { ScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import { bwrapCase } from '../sandbox/drivers.js';
import { startBwrapSessionServer } from '../support/bwrap-sessions.js';
import { type StreamEvent, startHarnessFixture } from '../support/harness-fixture.js';

/**
 * Every session thread has its own persistent shell in the session's one sandbox (issue 18): the
 * threads' bash calls run at the same time, `cd`/`export` stay in the thread that ran them, a
 * thread's restart is its own, and a per-sandbox limit refuses a shell past it with a tool error
 * until an ended thread frees one. On the process driver, and on bwrap where it can run. The
 * store is not what is tested here, so one dialect suffices.
 */
const bwrap = await bwrapCase();
const bwrapSkip = bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'runs the bwrap driver as root');

interface Served {
  client: Anthropic;
  model: ScriptedModelServer;
  close(): Promise<void>;
}

const DRIVERS: Array<{ name: string; skip: string | undefined; start(): Promise<Served> }> = [
  {
    name: 'process',
    skip: undefined,
    async start() {
      const fixture = await startHarnessFixture('sqlite');
      return { client: fixture.client, model: fixture.model, close: () => fixture.close() };
    },
  },
  {
    name: 'bwrap',
    skip: bwrapSkip,
    async start() {
      const { model, server } = await startBwrapSessionServer('sqlite');
      return {
        client: server.client,
        model,
        async close() {
          await server.close();
          await model.close();
        },
      };
    },
  },
];

/** Polls (the wait is not the assertion) until `done` holds for all threads' events and the session is idle. */
async function settle(
  client: Anthropic,
  sessionId: string,
  done: (events: StreamEvent[]) => boolean,
): Promise<StreamEvent[]> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const events: StreamEvent[] = [];
    for (const thread of (await client.beta.sessions.threads.list(sessionId)).data)
      for await (const event of client.beta.sessions.threads.events.list(thread.id, {
        session_id: sessionId,
      }))
        events.push(event as StreamEvent);
    if ((await client.beta.sessions.retrieve(sessionId)).status === 'idle' && done(events)) return events;
    if (Date.now() > deadline) throw new Error(`not done: ${events.map((e) => e.type).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The result of the bash call whose command holds `marker`, as text, with its error flag. */
function bashResult(events: StreamEvent[], marker: string): { text: string; isError: boolean } {
  const use = events.find(
    (event) =>
      event.type === 'agent.tool_use' &&
      event.name === 'bash' &&
      JSON.stringify(event.input).includes(marker),
  );
  assert.ok(use, `a bash call with ${marker}`);
  const result = events.find((event) => event.type === 'agent.tool_result' && event.tool_use_id === use.id);
  assert.ok(result, `a result for the bash call with ${marker}`);
  const text = (result.content as Array<{ text?: string }>).map((block) => block.text ?? '').join('\n');
  return { text, isError: result.is_error === true };
}

const bash = (command: string, extra: Record<string, unknown> = {}): ScriptedTurn['content'] => [
  { type: 'tool_use', name: 'bash', input: { command, ...extra } },
];

const spawn = (name: string, message: string) => ({
  type: 'tool_use' as const,
  name: 'spawn_agent',
  input: { inline_agent: { name, system: `You are ${name}.`, tools: ['bash'] }, message },
});

/** Waits (bounded: 60 s) for `file`, then says whether it came. */
const awaitFile = (file: string, saw: string) =>
  `for i in $(seq 600); do [ -f ${file} ] && break; sleep 0.1; done; [ -f ${file} ] && echo ${saw}`;

for (const driver of DRIVERS) {
  describe(`one shell per session thread (${driver.name} driver)`, { skip: driver.skip }, () => {
    let served: Served;
    before(async () => {
      served = await driver.start();
    });
    after(async () => served?.close());

    async function startSession(name: string, metadata: Record<string, string> = {}) {
      const { client } = served;
      const lead = await client.beta.agents.create({
        name: `Lead-${name}`,
        model: 'claude-sonnet-4-6',
        system: 'You split work.',
        tools: [{ type: 'agent_toolset_20260401' }],
        multiagent: { type: 'multiagent_20261001', subagents: { type: 'enabled', predefined_agents: [] } },
      });
      const environment = await client.beta.environments.create({
        name: `${name}-${driver.name}-${Math.random().toString(36).slice(2)}`,
        config: { type: 'cloud', networking: { type: 'limited' } },
        metadata,
      });
      return client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
    }

    const send = (sessionId: string, text: string) =>
      served.client.beta.sessions.events.send(sessionId, {
        events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
      });

    it('two threads each waiting for a file the other creates both finish (one shared shell would deadlock)', async () => {
      const session = await startSession('deadlock');
      // Whichever command starts first waits for the other's file: on one shell the second command
      // would queue behind the first until its bound ran out.
      served.model.push([
        { match: 'Start the pair', content: [spawn('Alpha', 'ALPHA-TASK'), spawn('Beta', 'BETA-TASK')] },
        {
          match: 'ALPHA-TASK',
          content: bash(`touch alpha.flag; ${awaitFile('beta.flag', 'ALPHA-SAW-BETA')}`),
        },
        {
          match: 'BETA-TASK',
          content: bash(`touch beta.flag; ${awaitFile('alpha.flag', 'BETA-SAW-ALPHA')}`),
        },
        { match: 'ALPHA-SAW-BETA', content: [{ type: 'text', text: 'ALPHA-DONE' }] },
        { match: 'BETA-SAW-ALPHA', content: [{ type: 'text', text: 'BETA-DONE' }] },
      ]);
      await send(session.id, 'Start the pair');
      const events = await settle(
        served.client,
        session.id,
        (seen) => seen.filter((event) => event.type === 'agent.thread_message_received').length >= 2,
      );
      const alpha = bashResult(events, 'touch alpha.flag');
      const beta = bashResult(events, 'touch beta.flag');
      assert.deepEqual(alpha, { text: 'ALPHA-SAW-BETA', isError: false });
      assert.deepEqual(beta, { text: 'BETA-SAW-ALPHA', isError: false });
      assert.ok(!events.some((event) => event.type === 'session.error'));
    });

    it("keeps cd/export per thread; the primary's shell survives; a thread's restart is its own", async () => {
      const session = await startSession('state');
      served.model.push([
        {
          match: 'Set up',
          content: bash('mkdir -p primdir && cd primdir && export P=prim && echo PRIMARY-SET'),
        },
        { match: 'PRIMARY-SET', content: [spawn('Alpha', 'STATE-ALPHA'), spawn('Beta', 'STATE-BETA')] },
        { match: 'STATE-ALPHA', content: bash('cd /tmp && export X=a && echo ALPHA-SET') },
        // Beta looks only once Alpha has set its state (Alpha's next request carries ALPHA-SET).
        {
          match: 'STATE-BETA',
          wait_for: 'ALPHA-SET',
          content: bash('echo "BETA-SEES pwd=$(pwd) X=[$X] P=[$P]"'),
        },
        { match: 'ALPHA-SET', content: bash('echo "ALPHA-SEES pwd=$(pwd) X=[$X]"') },
        {
          match: 'ALPHA-SEES',
          content: bash('echo "ALPHA-RESTARTED pwd=$(pwd) X=[$X]"', { restart: true }),
        },
        { match: 'ALPHA-RESTARTED', content: [{ type: 'text', text: 'ALPHA-DONE' }] },
        { match: 'BETA-SEES', content: [{ type: 'text', text: 'BETA-DONE' }] },
        { match: 'Check the primary', content: bash('echo "PRIMARY-SEES pwd=$(pwd) P=[$P]"') },
        { match: 'PRIMARY-SEES', content: [{ type: 'text', text: 'Checked.' }] },
      ]);
      await send(session.id, 'Set up');
      await settle(
        served.client,
        session.id,
        (seen) => seen.filter((event) => event.type === 'agent.thread_message_received').length >= 2,
      );
      await send(session.id, 'Check the primary');
      const events = await settle(served.client, session.id, (seen) =>
        seen.some(
          (event) => event.type === 'agent.message' && JSON.stringify(event.content).includes('Checked.'),
        ),
      );
      const alphaSees = bashResult(events, 'ALPHA-SEES').text;
      assert.equal(alphaSees, 'ALPHA-SEES pwd=/tmp X=[a]', "Alpha's next call has its own cd and export");
      const betaSees = bashResult(events, 'BETA-SEES').text;
      assert.match(
        betaSees,
        /^BETA-SEES pwd=\S+ X=\[\] P=\[\]$/,
        "Beta sees neither Alpha's nor the primary's",
      );
      assert.doesNotMatch(betaSees, /pwd=\/tmp |primdir/);
      const restarted = bashResult(events, 'ALPHA-RESTARTED').text;
      assert.match(restarted, /^ALPHA-RESTARTED pwd=\S+ X=\[\]$/, "Alpha's restart dropped its state");
      assert.doesNotMatch(restarted, /pwd=\/tmp /);
      // Alpha's restart (and both threads) left the primary thread's shell as it was.
      assert.match(bashResult(events, 'PRIMARY-SEES').text, /^PRIMARY-SEES pwd=\S+\/primdir P=\[prim\]$/);
    });

    it('refuses a shell past the sandbox limit with a tool error; an ended thread frees its shell', async () => {
      // Two shells: the primary's and one thread's.
      const session = await startSession('limit', { 'paddock.shells': '2' });
      served.model.push([
        { match: 'Hit the limit', content: [spawn('Alpha', 'LIMIT-ALPHA'), spawn('Beta', 'LIMIT-BETA')] },
        { match: 'LIMIT-ALPHA', content: bash('echo ALPHA-HAS-SHELL') },
        // Beta asks once Alpha holds the thread shell; Alpha keeps it until Beta was refused.
        { match: 'LIMIT-BETA', wait_for: 'ALPHA-HAS-SHELL', content: bash('echo BETA-FIRST-TRY') },
        {
          match: 'ALPHA-HAS-SHELL',
          wait_for: 'no shell for this thread',
          content: [{ type: 'text', text: 'ALPHA-FIN' }],
        },
        // Alpha's reply reaches the primary only after Alpha ended and gave its shell back.
        { match: 'no shell for this thread', wait_for: 'ALPHA-FIN', content: bash('echo BETA-SECOND-TRY') },
        { match: 'BETA-SECOND-TRY', content: [{ type: 'text', text: 'BETA-FIN' }] },
      ]);
      await send(session.id, 'Hit the limit');
      const events = await settle(
        served.client,
        session.id,
        (seen) => seen.filter((event) => event.type === 'agent.thread_message_received').length >= 2,
      );
      assert.deepEqual(bashResult(events, 'echo ALPHA-HAS-SHELL'), {
        text: 'ALPHA-HAS-SHELL',
        isError: false,
      });
      const refused = bashResult(events, 'echo BETA-FIRST-TRY');
      assert.equal(refused.isError, true);
      assert.match(refused.text, /no shell for this thread: the sandbox already runs its limit of 2 shells/);
      assert.deepEqual(bashResult(events, 'echo BETA-SECOND-TRY'), {
        text: 'BETA-SECOND-TRY',
        isError: false,
      });
      assert.ok(!events.some((event) => event.type === 'session.error'), 'a refusal is not a session error');
    });
  });
}
