import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signedInConsoleSuite } from '../support/console-browser-suite.js';
import { createSession, runTurn } from '../support/harness-fixture.js';
import { browserSuiteOptions, go, signIn } from './browser.js';

/**
 * The workspaces page and the header's picker (an admin key), a coordinator's roster, and a session's step waterfall,
 * in Debian's Chromium. Any page or console error fails the test.
 */
describe(
  'console in Chromium: workspaces, an agent roster and the step waterfall',
  browserSuiteOptions(),
  () => {
    const suite = signedInConsoleSuite();

    it('lists workspaces, works in one, and switches back with the picker', {
      timeout: 120_000,
    }, async () => {
      const { client } = suite.fixture;
      const { page } = suite.browser;
      const team = await client.beta.organization.workspaces.create({ name: 'Team Blue' });
      await client.beta.agents.create(
        { name: 'Blue agent', model: 'claude-sonnet-4-6' },
        { headers: { 'anthropic-workspace-id': team.id } },
      );
      await client.beta.agents.create({ name: 'Default agent', model: 'claude-sonnet-4-6' });

      await go(page, '#/workspaces');
      await page.getByRole('heading', { name: 'Workspaces' }).waitFor();
      const row = page.locator('tr', { hasText: 'Team Blue' });
      await row.getByText(team.id).waitFor();
      await row.getByRole('button', { name: 'Work here' }).click();
      await page.getByRole('heading', { name: 'Sessions' }).waitFor();
      const picker = page.getByLabel('Workspace');
      await page.waitForFunction(
        `document.querySelector('#workspace select')?.value === ${JSON.stringify(team.id)}`,
      );

      // Every call now names the workspace: its agents only.
      await go(page, '#/agents');
      await page.getByRole('link', { name: 'Blue agent' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Default agent' }).count(), 0);

      // The picker switches back to every workspace.
      await picker.selectOption('');
      await page.getByRole('link', { name: 'Default agent' }).waitFor();
      await page.getByRole('link', { name: 'Blue agent' }).waitFor();
    });

    it("a workspace key's console names its workspace and leaves the workspaces page out", {
      timeout: 120_000,
    }, async () => {
      const { client, server } = suite.fixture;
      const team = await client.beta.organization.workspaces.create({ name: 'Team Green' });
      const created = await client.post<{ key: string }>('/v1/organizations/api_keys', {
        body: { name: 'green', workspace_id: team.id },
      });
      // A tab of its own: the key is kept per tab (sessionStorage).
      const tab = await suite.browser.context.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      tab.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      try {
        await signIn(tab, server.url, created.key);
        await tab.locator('#workspace', { hasText: `Workspace ${team.id}` }).waitFor();
        await tab.locator('#nav a[href="#/workspaces"]').waitFor({ state: 'hidden' });
        await tab.locator('#nav a[href="#/webhooks"]').waitFor({ state: 'visible' });
        assert.deepEqual(errors, []);
      } finally {
        await tab.close();
      }
    });

    it("shows a coordinator's roster, linked to each agent", { timeout: 120_000 }, async () => {
      const { client } = suite.fixture;
      const { page } = suite.browser;
      const worker = await client.beta.agents.create({ name: 'Roster worker', model: 'claude-haiku-4-5' });
      const lead = await client.beta.agents.create({
        name: 'Roster lead',
        model: 'claude-sonnet-4-6',
        multiagent: { type: 'coordinator', agents: [worker.id] },
      });
      await go(page, `#/agents/${lead.id}`);
      await page.getByRole('heading', { name: /Roster lead/ }).waitFor();
      await page
        .locator('ul.roster')
        .getByRole('link', { name: `${worker.id} v1` })
        .click();
      await page.getByRole('heading', { name: /Roster worker/ }).waitFor();
    });

    it("draws a session's model requests and tool calls as a waterfall", { timeout: 120_000 }, async () => {
      const { client, model } = suite.fixture;
      const { page } = suite.browser;
      const { session } = await createSession(client);
      model.push([
        {
          content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo waterfall' } }],
          stop_reason: 'tool_use',
        },
        { content: [{ type: 'text', text: 'Echoed.' }] },
      ]);
      const events = await runTurn(client, session.id, 'echo something');
      assert.ok(
        events.some((event) => event.type === 'agent.tool_result'),
        events.map((event) => event.type).join(', '),
      );

      await go(page, `#/sessions/${session.id}`);
      await page.locator('li.event-agent', { hasText: 'Echoed.' }).waitFor();
      const waterfall = page.locator('details.waterfall');
      await waterfall.locator('summary', { hasText: 'Steps (3,' }).waitFor();
      assert.equal(await waterfall.locator('li.step-model').count(), 2);
      const tool = waterfall.locator('li.step-tool');
      await tool.getByText('bash').waitFor();
      assert.match((await tool.locator('.waterfall-time').textContent()) ?? '', /^\d+(\.\d)? (ms|s)/);
      const widths = await waterfall
        .locator('.waterfall-bar')
        .evaluateAll((bars) =>
          bars.map((bar) => (bar as unknown as { style: { width: string } }).style.width),
        );
      assert.equal(widths.length, 3);
      for (const width of widths) assert.match(width, /%$/);
      // The model's usage is named on its step; a click folds the waterfall.
      await waterfall
        .locator('li.step-model')
        .first()
        .getByText(/in \d+ \/ out \d+ tokens/)
        .waitFor();
      await waterfall.locator('summary').click();
      await tool.waitFor({ state: 'hidden' });
    });
  },
);
