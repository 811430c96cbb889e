import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY } from '../support/server.js';
import { runCli, startCli } from './cli-process.js';

/** `paddock run` / `sessions tail` against a real server whose model is the scripted one. */
describe('paddock run (terminal session over the SDK)', () => {
  let fixture: HarnessFixture;
  let env: Record<string, string>;
  before(async () => {
    fixture = await startHarnessFixture('sqlite');
    env = { PADDOCK_BASE_URL: fixture.server.url, PADDOCK_API_KEY: TEST_ADMIN_KEY };
  });
  after(async () => fixture.close());

  it('streams the turn, asks for a confirmation on stdin, runs the tool and prints usage', async () => {
    fixture.model.push([
      {
        match: 'list the files',
        content: [
          { type: 'text', text: 'I will look.' },
          { type: 'tool_use', name: 'bash', input: { command: 'echo confirmed-run; seq 1 30' } },
        ],
      },
      { match: 'confirmed-run', content: [{ type: 'text', text: 'There are thirty lines.' }] },
    ]);
    const { code, output } = await runCli(
      ['run', '--permission', 'always_ask', '--model', 'claude-sonnet-4-6', 'list the files'],
      env,
      'y\n',
    );
    assert.equal(code, 0, output);
    assert.match(output, /^session sesn_\w+$/m);
    assert.match(output, /I will look\./);
    assert.match(output, /^● bash: echo confirmed-run; seq 1 30$/m);
    assert.match(output, /^Allow bash\? \[y\/N\] y$/m);
    // The result is collapsed: its first lines, then a count of the rest.
    assert.match(output, /^ {2}↳ confirmed-run$/m);
    assert.match(output, /^ {2}… \(23 more lines\)$/m);
    assert.doesNotMatch(output, /^30$/m);
    assert.match(output, /There are thirty lines\./);
    assert.match(output, /^usage: \d+ input, \d+ output tokens/m);
  });

  it('a denied confirmation is sent as deny; the agent carries on', async () => {
    fixture.model.push([
      {
        match: 'delete everything',
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'rm -rf /workspace' } }],
      },
      { match: 'denied', content: [{ type: 'text', text: 'Understood, I will not.' }] },
    ]);
    // End of input answers every question with the empty answer: deny.
    const { code, output } = await runCli(
      ['run', '--permission', 'always_ask', 'delete everything'],
      env,
      '',
    );
    assert.equal(code, 0, output);
    assert.match(output, /^Allow bash\? \[y\/N\] $/m);
    assert.match(output, /Understood, I will not\./);
  });

  it('Ctrl-C (SIGINT) sends user.interrupt: the turn stops, usage is printed, exit 130', async () => {
    const words = Array.from({ length: 1500 }, (_, index) => `word${index}`).join(' ');
    fixture.model.push([
      { match: 'tell me a long story', content: [{ type: 'text', text: words }], delay_ms: 50 },
    ]);
    const cli = startCli(['run', 'tell me a long story'], env);
    // The text arrives as it streams: the first words show long before the last.
    await cli.waitFor(/word\d+/);
    cli.child.kill('SIGINT');
    const code = await cli.exited;
    const output = cli.output();
    assert.equal(code, 130, output);
    assert.match(output, /\(interrupting; Ctrl-C again to quit\)/);
    assert.match(output, /^usage: /m);
    // 1500 words at 50 ms each take 75 s to stream: the interrupt lands long before the last.
    assert.doesNotMatch(output, /word1499/);
    const sessionId = /^session (sesn_\w+)$/m.exec(output)?.[1] ?? '';
    const events = await fixture.client.beta.sessions.events.list(sessionId);
    assert.ok(
      events.data.some((event) => event.type === 'user.interrupt'),
      'the interrupt reached the session',
    );
  });

  it('sessions tail prints the log so far, then follows the next turn (--once stops at idle)', async () => {
    fixture.model.push([
      { match: 'first question', content: [{ type: 'text', text: 'First answer.' }] },
      { match: 'second question', content: [{ type: 'text', text: 'Second answer.' }] },
    ]);
    const first = await runCli(['run', 'first question'], env);
    assert.equal(first.code, 0, first.output);
    const sessionId = /^session (sesn_\w+)$/m.exec(first.output)?.[1] ?? '';
    const tail = startCli(['sessions', 'tail', sessionId, '--once'], env);
    await tail.waitFor(/First answer\./);
    await fixture.client.beta.sessions.events.send(sessionId, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'second question' }] }],
    });
    assert.equal(await tail.exited, 0, tail.output());
    assert.match(tail.output(), /First answer\.[\s\S]*Second answer\./);
  });

  it('a stopped server: the error names the URL it tried and what to do', async () => {
    const { code, output } = await runCli(['agents', 'list'], {
      PADDOCK_BASE_URL: 'http://127.0.0.1:4',
      PADDOCK_API_KEY: TEST_ADMIN_KEY,
    });
    assert.equal(code, 1);
    assert.match(
      output,
      /could not reach the Paddock server at http:\/\/127\.0\.0\.1:4 .*--base-url or PADDOCK_BASE_URL/,
    );
  });
});
