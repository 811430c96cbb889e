import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { createSession, type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY } from '../support/server.js';

/**
 * The console's page code in a headless DOM (happy-dom) against a real server with the scripted
 * model: sign-in, every list, a live session (message, reply, usage), confirming an always_ask
 * tool use, interrupt, creating a session and an agent, sign-out. This file's process owns the
 * globals it sets (node:test runs each file in its own process).
 */
// biome-ignore lint/suspicious/noExplicitAny: DOM elements from happy-dom, driven loosely as a user would
type Loose = any;

describe('console in a DOM (happy-dom)', () => {
  let fixture: HarnessFixture;
  let window: Window;
  before(async () => {
    fixture = await startHarnessFixture('sqlite');
    window = new Window({ url: `${fixture.server.url}/console` });
    const html = readFileSync('src/console/static/index.html', 'utf8');
    // The module is imported below (in this process), not loaded by the page.
    window.document.write(html.replace(/<script[^>]*><\/script>/, ''));
    const g = globalThis as Loose;
    g.window = window;
    g.document = window.document;
    g.location = window.location;
    g.sessionStorage = window.sessionStorage;
    const realFetch = globalThis.fetch;
    g.fetch = (url: string, init: RequestInit) => realFetch(new URL(url, fixture.server.url), init);
  });
  after(async () => {
    await window?.happyDOM.abort();
    window?.close();
    await fixture?.close();
  });

  it('walks through sign-in, lists, a live session, confirmation, interrupt, create and sign-out', {
    timeout: 90_000,
  }, async () => {
    const { session } = await createSession(fixture.client);
    const asker = await fixture.client.beta.agents.create({
      name: 'Asker',
      model: 'claude-sonnet-4-6',
      tools: [
        { type: 'agent_toolset_20260401', default_config: { permission_policy: { type: 'always_ask' } } },
      ],
    });
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const document = () => window.document as Loose;
    const text = (): string => document().getElementById('main')?.textContent ?? '';
    const until = async (what: string, test: () => boolean, ms = 10_000) => {
      const end = Date.now() + ms;
      while (!test()) {
        if (Date.now() > end) throw new Error(`timeout: ${what}\n${document().body.textContent}`);
        await wait(50);
      }
    };
    // @ts-expect-error plain browser module without types; importing it starts the app
    await import('../../src/console/static/app.js');
    await until('sign-in form', () => text().includes('Sign in to Paddock'));
    const input = document().getElementById('api-key') as Loose;
    input.value = 'sk-wrong';
    (document().querySelector('form') as Loose).requestSubmit();
    await until('wrong key message', () =>
      /invalid API key|API key/i.test(document().querySelector('.notice-error')?.textContent ?? ''),
    );
    input.value = TEST_ADMIN_KEY;
    (document().querySelector('form') as Loose).requestSubmit();
    await until('sessions list', () => text().includes(session.id));
    window.location.hash = '#/agents';
    await until('agents list', () => text().includes('Asker') && text().includes('claude-sonnet-4-6'));
    window.location.hash = '#/environments';
    await until('environments list', () => text().includes('env-'));
    window.location.hash = '#/vaults';
    await until('vaults list', () => text().includes('No vaults yet.'));
    window.location.hash = '#/files';
    await until('files list', () => text().includes('No files yet.'));
    // session view
    fixture.model.push([{ content: [{ type: 'text', text: 'Hi <b>there</b>' }] }]);
    window.location.hash = `#/sessions/${session.id}`;
    await until('session live', () => document().querySelector('.connection')?.textContent === 'live');
    const box = document().querySelector('.compose textarea') as Loose;
    box.value = 'hello from happy-dom';
    (document().querySelector('form.compose') as Loose).requestSubmit();
    await until('agent reply', () =>
      [...document().querySelectorAll('.event-agent')].some((e: Loose) =>
        e.textContent.includes('Hi <b>there</b>'),
      ),
    );
    await until('idle + usage', () => text().includes('end turn') && /in [\d,]+ \/ out/.test(text()));
    window.location.hash = '#/sessions';
    await until('back to list', () => text().includes('Previous'));
    window.location.hash = `#/sessions/${session.id}`;
    await until(
      'history shown again',
      () =>
        [...document().querySelectorAll('.event-agent')].length === 1 &&
        document().querySelectorAll('.event').length === 7,
    );
    // new session form with the asker agent
    window.location.hash = '#/new/session';
    await until('new session form', () => !!document().querySelector('form.form select'));
    const selects = document().querySelectorAll('form.form select') as Loose;
    selects[0].value = asker.id;
    (document().querySelector('form.form') as Loose).requestSubmit();
    await until(
      'navigated to new session',
      () =>
        /#\/sessions\/sesn_/.test(window.location.hash) &&
        window.location.hash !== `#/sessions/${session.id}`,
    );
    await until('new session live', () => document().querySelector('.connection')?.textContent === 'live');
    fixture.model.push([
      {
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo smoke-ok' } }],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'all done' }] },
    ]);
    const box2 = document().querySelector('.compose textarea') as Loose;
    box2.value = 'run it';
    (document().querySelector('form.compose') as Loose).requestSubmit();
    await until('confirmation shown', () => !!document().querySelector('.confirmation'));
    (document().querySelector('.confirmation button') as Loose).click();
    await until('tool result + done', () => text().includes('smoke-ok') && text().includes('all done'));
    await until('confirmation gone', () => !document().querySelector('.confirmation'));
    // interrupt
    fixture.model.push([{ content: [{ type: 'text', text: 'slow' }], delay_ms: 8000 }]);
    box2.value = 'slow please';
    (document().querySelector('form.compose') as Loose).requestSubmit();
    await until(
      'running',
      () =>
        [...document().querySelectorAll('.event')].some(
          (e: Loose) => e.getAttribute('data-type') === 'span.model_request_start',
        ) && text().includes('slow please'),
    );
    await wait(300);
    const interruptButton = [...document().querySelectorAll('button')].find(
      (b: Loose) => b.textContent === 'Interrupt',
    ) as Loose;
    interruptButton.click();
    await until('interrupted', () =>
      [...document().querySelectorAll('.event')].some(
        (e: Loose) => e.getAttribute('data-type') === 'user.interrupt',
      ),
    );
    // new agent
    window.location.hash = '#/new/agent';
    await until('new agent form', () => text().includes('New agent'));
    const inputs = document().querySelectorAll('form.form input[type="text"]') as Loose;
    inputs[0].value = 'Made in smoke';
    (document().querySelector('form.form textarea') as Loose).value = 'Be nice.';
    (document().querySelector('form.form') as Loose).requestSubmit();
    await until(
      'agent created',
      () => window.location.hash === '#/agents' && text().includes('Made in smoke'),
    );
    // sign out
    (document().getElementById('sign-out') as Loose).click();
    await until('signed out', () => text().includes('Sign in to Paddock'));
  });
});
