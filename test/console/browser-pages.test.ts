import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { signedInConsoleSuite } from '../support/console-browser-suite.js';
import { openEventReader } from '../support/harness-fixture.js';
import { browserSuiteOptions, currentHash, go } from './browser.js';

/**
 * The console's other pages in Debian's Chromium: a multi-agent session's thread view, agent
 * and environment details, the usage report, the sessions list's filters, archive and delete, and
 * the layout on a phone-sized screen. Any page or console error fails the test.
 */
describe(
  'console in Chromium: threads, details, reports, lists and a narrow screen',
  browserSuiteOptions(),
  () => {
    const suite = signedInConsoleSuite();
    let environmentId: string;
    before(async () => {
      const environment = await suite.fixture.client.beta.environments.create({
        name: 'pages-env',
        config: { type: 'cloud', networking: { type: 'unrestricted' } },
      });
      environmentId = environment.id;
    });

    it("names a worker thread's agent in its header and hand-back, with no repeated pill", {
      timeout: 180_000,
    }, async () => {
      const { client, model } = suite.fixture;
      const worker = await client.beta.agents.create({ name: 'Deployer', model: 'claude-haiku-4-5' });
      const lead = await client.beta.agents.create({
        name: 'Lead',
        model: 'claude-sonnet-4-6',
        multiagent: { type: 'coordinator', agents: [worker.id] },
      });
      const session = await client.beta.sessions.create({
        agent: lead.id,
        environment_id: environmentId,
        title: 'Team session',
      });
      model.push([
        {
          match: 'Ship it',
          content: [
            { type: 'tool_use', name: 'send_to_agent', input: { agent: 'Deployer', message: 'DEPLOY-TASK' } },
          ],
        },
        { match: 'DEPLOY-TASK', content: [{ type: 'text', text: 'Deployed the api.' }], delay_ms: 100 },
        { match: 'Sent to', content: [{ type: 'text', text: 'Waiting.' }] },
        { match: 'Deployed the api', content: [{ type: 'text', text: 'All shipped.' }] },
      ]);
      // The page follows the session live, so the worker's streamed reply passes by it too.
      const { page } = suite.browser;
      await go(page, `#/sessions/${session.id}`);
      await page.locator('.connection', { hasText: 'live' }).waitFor();
      const stream = await openEventReader(client, session.id);
      try {
        await client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: 'Ship it' }] }],
        });
        await stream.until(
          (event) => event.type === 'agent.message' && JSON.stringify(event.content).includes('All shipped.'),
          60_000,
        );
        await stream.until((event) => event.type === 'session.status_idle', 60_000);
      } finally {
        stream.close();
      }
      await page.locator('li.event-agent', { hasText: 'All shipped.' }).waitFor();
      await page.locator('li[data-type="session.status_idle"]', { hasText: 'end turn' }).last().waitFor();
      await page.locator('.session-status', { hasText: /^idle$/ }).waitFor();
      // The stream carries every thread's previews; none of the worker's may linger in this view.
      await page.locator('li.event-preview').first().waitFor({ state: 'detached' });
      const threads = page.locator('section.threads');
      await threads.getByRole('link', { name: 'Deployer' }).waitFor();
      await threads.locator('td', { hasText: 'Lead (primary)' }).waitFor();
      await threads.locator('td.depth-1', { hasText: 'Deployer' }).waitFor();
      const primaryEvents = await page.locator('li.event').count();
      const primaryPills = await page.locator('li.event .badge-thread').count();
      assert.ok(
        primaryPills < primaryEvents / 2,
        `pills only on other threads' rows: ${primaryPills}/${primaryEvents}`,
      );

      await threads.getByRole('link', { name: 'Deployer' }).click();
      await page.getByText('Thread of Deployer').waitFor();
      await page.locator('.connection', { hasText: 'live' }).waitFor();
      await page.locator('.facts dd', { hasText: 'Deployer v1' }).waitFor();
      await page.locator('li.event-thread', { hasText: 'To Lead' }).waitFor();
      assert.equal(
        await page.locator('li[data-type="agent.thread_message_sent"]', { hasText: 'To sthr_' }).count(),
        0,
        'the hand-back names the agent, not its thread id',
      );
      assert.equal(
        await page.locator('li.event .badge-thread').count(),
        0,
        'no pill on the thread’s own rows',
      );
    });

    it('shows an agent with its versions, edits it into a new version, and archives it', {
      timeout: 120_000,
    }, async () => {
      const { client } = suite.fixture;
      const agent = await client.beta.agents.create({ name: 'Versioned', model: 'claude-sonnet-4-6' });
      await client.beta.agents.update(agent.id, { version: agent.version, system: 'Second version.' });
      const { page } = suite.browser;
      await go(page, '#/agents');
      await page.getByRole('link', { name: 'Versioned' }).click();
      await page.getByRole('heading', { name: 'Versions (2)' }).waitFor();
      await page.locator('li[data-version="2"]').waitFor();
      await page.locator('section.card > pre', { hasText: 'Second version.' }).waitFor();

      const edit = page.locator('details.edit-agent');
      await edit.locator('summary').click();
      await edit.getByLabel('System prompt').fill('Third version, from the console.');
      await edit.getByRole('button', { name: 'Save as a new version' }).click();
      await page.getByRole('heading', { name: 'Versions (3)' }).waitFor();
      await page.locator('section.card > pre', { hasText: 'Third version, from the console.' }).waitFor();
      const stored = await client.beta.agents.retrieve(agent.id);
      assert.equal(stored.version, 3);
      assert.equal(stored.system, 'Third version, from the console.');

      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Archive' }).click();
      await page.locator('.facts .badge-archived').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Archive' }).count(), 0);
    });

    it('shows an environment and the usage report', { timeout: 120_000 }, async () => {
      const { page } = suite.browser;
      await go(page, '#/environments');
      await page.getByRole('link', { name: 'pages-env' }).click();
      await page.getByRole('heading', { name: 'Configuration' }).waitFor();
      await page.locator('pre', { hasText: '"unrestricted"' }).waitFor();

      await go(page, '#/usage');
      await page.getByRole('heading', { name: 'Usage and cost' }).waitFor();
      const report = page.locator('table.usage-report');
      await report.waitFor();
      assert.ok((await report.locator('tbody tr').count()) >= 2, 'a day row and the total');
      assert.match((await report.locator('tr.total').textContent()) ?? '', /\$\d+\.\d{2}/);
      await page.getByLabel('Group').selectOption('agent');
      await page.getByRole('button', { name: 'Show' }).click();
      await report.locator('td', { hasText: 'Lead' }).waitFor();
    });

    it('filters, archives and deletes sessions', { timeout: 120_000 }, async () => {
      const { client } = suite.fixture;
      const agent = await client.beta.agents.create({ name: 'Lister', model: 'claude-sonnet-4-6' });
      const keep = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environmentId,
        title: 'Keep me',
      });
      const drop = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environmentId,
        title: 'Drop me',
      });
      const { page } = suite.browser;
      await go(page, '#/sessions');
      await page.getByRole('link', { name: /Drop me/ }).waitFor();
      await page.getByLabel('Search').fill('Keep');
      await page.getByRole('link', { name: /Drop me/ }).waitFor({ state: 'detached' });
      await page.getByRole('link', { name: /Keep me/ }).waitFor();
      await page.getByLabel('Search').fill('');
      await page.getByLabel('Agent id').fill(agent.id);
      await page.getByLabel('Agent id').press('Enter');
      await page.getByRole('link', { name: /Team session/ }).waitFor({ state: 'detached' });
      await page.getByRole('link', { name: /Drop me/ }).waitFor();

      // Archive: gone from the default list, back with "Include archived".
      await go(page, `#/sessions/${keep.id}`);
      await page.getByRole('button', { name: 'Archive' }).click();
      await page.locator('.session-status .badge-archived').waitFor();
      await go(page, '#/sessions');
      await page.getByRole('link', { name: /Drop me/ }).waitFor();
      assert.equal(await page.getByRole('link', { name: /Keep me/ }).count(), 0);
      await page.getByLabel('Include archived').check();
      await page.getByRole('link', { name: /Keep me/ }).waitFor();

      // Delete, after the browser's confirm dialog.
      await go(page, `#/sessions/${drop.id}`);
      await page.locator('.connection', { hasText: 'live' }).waitFor();
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('heading', { name: 'Sessions' }).waitFor();
      assert.equal(await currentHash(page), '#/sessions');
      await page.locator('table').waitFor();
      assert.equal(await page.getByRole('link', { name: /Drop me/ }).count(), 0);
      await assert.rejects(client.beta.sessions.retrieve(drop.id), /404|not found/i);
    });

    it('fits a phone-sized screen: one nav row, no page overflow, tables scroll', {
      timeout: 120_000,
    }, async () => {
      const { page } = suite.browser;
      await page.setViewportSize({ width: 375, height: 740 });
      await go(page, '#/sessions');
      await page.locator('table').waitFor();
      const navBox = await page.locator('#nav').boundingBox();
      assert.ok(navBox && navBox.height < 48, `the nav is one row: ${JSON.stringify(navBox)}`);
      const headerBox = await page.locator('header.top').boundingBox();
      assert.ok(
        headerBox && headerBox.height < 110,
        `the header is two rows at most: ${JSON.stringify(headerBox)}`,
      );
      const overflow = async () =>
        Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      assert.ok((await overflow()) <= 1, `the page does not scroll sideways: ${await overflow()}px`);
      const table = await page
        .locator('.table-wrap')
        .first()
        .evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
      assert.ok(
        table.scroll > table.client,
        `the table scrolls inside its wrapper: ${JSON.stringify(table)}`,
      );

      const teamHash = await page.getByRole('link', { name: /Team session/ }).getAttribute('href');
      await go(page, teamHash ?? '#/sessions');
      await page.locator('li.event-agent', { hasText: 'All shipped.' }).waitFor();
      assert.ok((await overflow()) <= 1, `the session page does not scroll sideways: ${await overflow()}px`);
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  },
);
