import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { formatUsd } from '../../src/console/static/format.js';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY } from '../support/server.js';
import {
  type BrowserHarness,
  browserSuiteOptions,
  currentHash,
  go,
  openBrowser,
  signIn,
  waitAtBottom,
} from './browser.js';

/**
 * The console in Debian's Chromium against a real server with the scripted model, as a user
 * works with it: sign in, create an agent and a session, watch a Markdown reply stream (with an
 * XSS payload that must not run), answer a confirmation, fold long output, interrupt a slow reply
 * and keep its partial text, read costs in dollars. Any page or console error fails the test.
 * Every wait is on a condition (Playwright's locators), never on a fixed delay.
 */
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
const MARKDOWN = [
  '# Plan',
  '',
  'Here is **bold** text and `code`, with a [link](https://example.com/docs).',
  '',
  '- first item',
  '- second item',
  '',
  XSS,
  '',
  'Done streaming now.',
].join('\n');

describe('console in Chromium: a session from start to interrupt', browserSuiteOptions(), () => {
  let fixture: HarnessFixture;
  let browser: BrowserHarness;
  before(async () => {
    fixture = await startHarnessFixture('sqlite');
    await fixture.client.beta.environments.create({
      name: 'browser-env',
      config: { type: 'cloud', networking: { type: 'unrestricted' } },
    });
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await fixture?.close();
  });
  afterEach(() => {
    assert.deepEqual(browser?.errors ?? [], [], 'no page errors and no console errors');
  });

  it('signs in with the nav hidden until then', { timeout: 120_000 }, async () => {
    const { page } = browser;
    await page.goto(`${fixture.server.url}/console`);
    await page.getByRole('heading', { name: 'Sign in to Paddock' }).waitFor();
    assert.equal(await page.locator('#nav').isVisible(), false, 'no nav on the sign-in page');
    assert.equal(await page.locator('#sign-out').isVisible(), false, 'no Sign out on the sign-in page');
    await signIn(page, fixture.server.url, TEST_ADMIN_KEY);
    await page.locator('#nav').waitFor({ state: 'visible' });
    await page.locator('#sign-out').waitFor({ state: 'visible' });
  });

  it('creates an agent and a session, streams a Markdown reply, and runs none of its HTML', {
    timeout: 180_000,
  }, async () => {
    const { page } = browser;
    await go(page, '#/new/agent');
    await page.getByRole('heading', { name: 'New agent' }).waitFor();
    await page.getByLabel('Name').fill('Browser Agent');
    await page.getByLabel('Ask before each tool use (always_ask)').check();
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('link', { name: 'Browser Agent' }).waitFor();

    await go(page, '#/new/session');
    await page.getByRole('heading', { name: 'New session' }).waitFor();
    const agentOption = page.locator('option', { hasText: 'Browser Agent' });
    await page.getByLabel('Agent').selectOption((await agentOption.getAttribute('value')) ?? '');
    await page.getByLabel('Title').fill('Browser walk-through');
    await page.getByRole('button', { name: 'Create session' }).click();
    await page.locator('.connection', { hasText: 'live' }).waitFor();

    // Word-sized chunks with a pause before each: the reply takes seconds to arrive in full.
    fixture.model.push([{ content: [{ type: 'text', text: MARKDOWN }], delay_ms: 150 }]);
    // The page records every text the preview shows, so nothing depends on when the test looks.
    await page.evaluate(`
      window.__previewTexts = [];
      new MutationObserver(() => {
        for (const element of document.querySelectorAll('li.event-preview .markdown'))
          window.__previewTexts.push(element.textContent);
      }).observe(document.getElementById('main'), { childList: true, subtree: true, characterData: true });
    `);
    await page.getByPlaceholder('Message the agent').fill('Write a plan');
    await page.getByRole('button', { name: 'Send' }).click();
    const preview = page.locator('li.event-preview');
    await preview.filter({ hasText: 'Plan' }).waitFor({ state: 'attached' });

    const reply = page.locator('li.event-agent:not(.event-preview)', { hasText: 'Done streaming now.' });
    await reply.waitFor();
    await preview.waitFor({ state: 'detached' });
    const shown = (await page.evaluate('window.__previewTexts')) as string[];
    assert.ok(
      shown.some((text) => text.includes('Plan') && !text.includes('Done streaming now.')),
      `the text showed before it was complete: ${JSON.stringify(shown.slice(0, 3))}`,
    );
    assert.equal(await reply.locator('.markdown h3').textContent(), 'Plan');
    assert.equal(await reply.locator('.markdown strong').textContent(), 'bold');
    assert.equal(await reply.locator('.markdown li').count(), 2);
    const link = reply.locator('.markdown a');
    assert.equal(await link.getAttribute('href'), 'https://example.com/docs');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.ok((await reply.textContent())?.includes(XSS), 'the HTML shows as text');
    assert.equal(await page.locator('#main img, #main script').count(), 0);
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined', 'the payload never ran');

    // The raw wire JSON of one event, on demand.
    await reply.locator('.raw-toggle').click();
    await reply.locator('.raw-json', { hasText: '"type": "agent.message"' }).waitFor();
    await reply.locator('.raw-toggle').click();
    await reply.locator('.raw-json').waitFor({ state: 'detached' });
  });

  it('marks a session waiting for a confirmation, answers it, and folds long output', {
    timeout: 180_000,
  }, async () => {
    const { page } = browser;
    const sessionHash = await currentHash(page);
    fixture.model.push([
      {
        content: [
          {
            type: 'tool_use',
            name: 'bash',
            input: { command: 'seq 1 60 | tee mnt/session/outputs/count.txt' },
          },
        ],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'Counted to sixty.' }] },
    ]);
    await page.getByPlaceholder('Message the agent').fill('Count please');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.confirmation').waitFor();
    await page.locator('.session-status', { hasText: 'needs action' }).waitFor();

    await go(page, '#/sessions');
    const row = page.locator('tr', { hasText: 'Browser walk-through' });
    await row.locator('.badge-needs-action').waitFor();
    assert.equal(await row.evaluate((element) => element.classList.contains('needs-action')), true);

    await go(page, sessionHash);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.locator('li.event-agent', { hasText: 'Counted to sixty.' }).waitFor();
    await page.locator('.confirmation').waitFor({ state: 'detached' });
    await page.locator('.session-status', { hasText: /^idle$/ }).waitFor();

    // Each step says how long it took (from its start event's processed_at).
    const timed = /· \d+(\.\d)? (ms|s)|· \d+ min/;
    await page.locator('li[data-type="agent.tool_result"] .event-title', { hasText: timed }).waitFor();
    await page
      .locator('li[data-type="span.model_request_end"] .event-title', { hasText: timed })
      .first()
      .waitFor();

    const folded = page.locator('li[data-type="agent.tool_result"] details.long-output');
    await folded.waitFor();
    assert.equal(await folded.getAttribute('open'), null);
    assert.equal(await folded.locator('pre').isVisible(), false, 'long output starts folded');
    await folded.locator('summary').click();
    await folded.locator('pre', { hasText: '60' }).waitFor({ state: 'visible' });

    // What the tool wrote under /mnt/session/outputs is a session file, downloadable from the page.
    const file = page.locator('.session-files li', { hasText: 'count.txt' });
    await file.waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      file.getByRole('button', { name: 'Download' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'count.txt');
  });

  it('follows a streaming reply, and keeps its partial text after an interrupt', {
    timeout: 180_000,
  }, async () => {
    const { page } = browser;
    const words = Array.from({ length: 60 }, (_, index) => `word${index}`).join(' ');
    fixture.model.push([{ content: [{ type: 'text', text: `Partial reply ${words}` }], delay_ms: 300 }]);
    await page.getByPlaceholder('Message the agent').fill('Go slowly');
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    await page.getByRole('button', { name: 'Send' }).click();
    const preview = page.locator('li.event-preview');
    await preview.filter({ hasText: 'word2' }).waitFor();
    await waitAtBottom(page);

    await page.getByRole('button', { name: 'Interrupt' }).click();
    await page.locator('li[data-type="user.interrupt"]').waitFor();
    await page.locator('li.event-preview.event-partial', { hasText: 'Partial reply' }).waitFor();
    assert.match((await preview.locator('.streaming').textContent()) ?? '', /stopped/);
    await page.locator('.session-status', { hasText: /^idle$/ }).waitFor();
    assert.equal(
      await page.locator('li.event-agent:not(.event-preview)', { hasText: 'Partial reply' }).count(),
      0,
      'no stored message for the interrupted reply: the preview is what remains',
    );
  });

  it('shows costs in dollars: the exact figure on the session, whole cents in the list', {
    timeout: 120_000,
  }, async () => {
    const { page } = browser;
    const sessionId = (await currentHash(page)).split('/').pop() ?? '';
    const response = await fetch(`${fixture.server.url}/v1/sessions/${sessionId}/cost`, {
      headers: { 'x-api-key': TEST_ADMIN_KEY },
    });
    const report = (await response.json()) as { total_usd: string; list_cost: { amount: string } };
    await page.reload();
    await page.locator('.connection', { hasText: 'live' }).waitFor();
    const cost = page.locator('.session-cost');
    await cost.filter({ hasText: /^\$/ }).waitFor();
    const shown = (await cost.textContent()) ?? '';
    // The session is idle: the page and this test read the same report.
    assert.match(shown, /^\$0\.\d{2,}$/, `exact dollars with sub-cent digits: ${shown}`);
    assert.equal(shown, formatUsd(report.total_usd));

    await go(page, '#/sessions');
    const row = page.locator('tr', { hasText: 'Browser walk-through' });
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    const listed = cells.at(-1) ?? '';
    const cents = Number(report.list_cost.amount);
    assert.equal(listed, cents === 0 ? '< $0.01' : `$${(cents / 100).toFixed(2)}`, `list cost ${listed}`);
  });
});
