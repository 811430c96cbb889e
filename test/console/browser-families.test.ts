import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { toFile } from '@anthropic-ai/sdk';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY } from '../support/server.js';
import { startWebhookReceiver, until, type WebhookReceiver } from '../support/webhook-receiver.js';
import { type BrowserHarness, browserSuiteOptions, go, openBrowser, signIn } from './browser.js';

const SKILL_MD =
  '---\nname: release-notes\ndescription: Writes release notes from git log\n---\nRun <b>scripts/log.sh</b>.\n';

/**
 * The console's pages for skills, webhook endpoints and deployments in Debian's Chromium: each
 * list, each detail page, and an action on each (a version's files and its zip, redelivering and
 * disabling an endpoint, pausing and running a deployment). Any page or console error fails.
 */
describe('console in Chromium: skills, webhooks and deployments', browserSuiteOptions(), () => {
  let fixture: HarnessFixture;
  let browser: BrowserHarness;
  let receiver: WebhookReceiver;
  before(async () => {
    fixture = await startHarnessFixture(
      'sqlite',
      [],
      {},
      {
        allowPrivateNetworks: true,
        webhooks: { timeoutMs: 10_000, pollMs: 50 },
      },
    );
    receiver = await startWebhookReceiver();
    browser = await openBrowser();
    await signIn(browser.page, fixture.server.url, TEST_ADMIN_KEY);
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await fixture?.close();
  });
  afterEach(() => {
    assert.deepEqual(browser?.errors ?? [], [], 'no page errors and no console errors');
  });

  it("lists skills, shows a version's files and their text, downloads the zip, deletes a version", {
    timeout: 120_000,
  }, async () => {
    const { client } = fixture;
    const { page } = browser;
    const skill = await client.beta.skills.create({
      display_name: 'Release notes',
      files: [
        await toFile(Buffer.from(SKILL_MD), 'release-notes/SKILL.md'),
        await toFile(Buffer.from('git log --oneline\n'), 'release-notes/scripts/log.sh'),
      ],
    });
    const second = await client.beta.skills.versions.create(skill.id, {
      files: [await toFile(Buffer.from(SKILL_MD.replace('Run', 'Then run')), 'release-notes/SKILL.md')],
    });

    await go(page, '#/skills');
    await page.getByRole('heading', { name: 'Skills' }).waitFor();
    await page.getByRole('link', { name: 'Release notes' }).click();
    await page.getByRole('heading', { name: /Release notes/ }).waitFor();
    const versions = page.locator('li.skill-version');
    await versions.nth(1).waitFor();
    assert.equal(await versions.count(), 2);
    const latest = page.locator(`li.skill-version[data-version-id="${second.id}"]`);
    await latest.locator('.badge-latest').waitFor();

    const first = page.locator('li.skill-version').filter({ hasNot: page.locator('.badge-latest') });
    await first.getByRole('button', { name: 'Files' }).click();
    await first.locator('tr.skill-file', { hasText: 'release-notes/scripts/log.sh' }).waitFor();
    await first.getByRole('button', { name: 'release-notes/SKILL.md' }).click();
    // The file's text, as text: its markup is shown, never made into elements.
    await first.locator('pre.skill-file-text', { hasText: 'Run <b>scripts/log.sh</b>.' }).waitFor();
    assert.equal(await page.locator('pre.skill-file-text b').count(), 0);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      first.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'release-notes.zip');
    const saved = await download.path();
    const zip = readFileSync(saved);
    assert.equal(zip.readUInt32LE(0), 0x04034b50, 'a zip archive');

    page.once('dialog', (dialog) => void dialog.accept());
    await latest.getByRole('button', { name: 'Delete version' }).click();
    await latest.waitFor({ state: 'detached' });
    assert.equal(await page.locator('li.skill-version').count(), 1);
    const remaining = await client.beta.skills.versions.list(skill.id);
    assert.equal(remaining.data.length, 1);
  });

  it("shows a webhook endpoint's deliveries with their attempts, redelivers one, disables it", {
    timeout: 120_000,
  }, async () => {
    const { client } = fixture;
    const { page } = browser;
    receiver.respondWith(500);
    const endpoint = await client.beta.organization.webhooks.create({
      url: receiver.url,
      name: 'CI hook',
      enabled_events: ['agent.created'] as unknown as WebhookCreateParams['enabled_events'],
    });
    await client.beta.agents.create({ name: 'Hooked', model: 'claude-sonnet-4-6' });
    await until(
      'the first attempt',
      async () => receiver.received.length,
      (count) => count >= 1,
    );

    await go(page, '#/webhooks');
    await page.getByRole('heading', { name: 'Webhook endpoints' }).waitFor();
    await page.getByRole('link', { name: 'CI hook' }).click();
    await page.getByRole('heading', { name: /CI hook/ }).waitFor();
    const delivery = page.locator('tr.webhook-delivery').first();
    await delivery.locator('.badge-pending').waitFor();
    await delivery.getByText('500', { exact: true }).waitFor();
    await delivery.locator('summary', { hasText: '1 attempt' }).click();
    await delivery.getByText(/HTTP 500/).waitFor();
    await delivery.locator('pre', { hasText: 'receiver says no' }).waitFor();

    receiver.respondWith(200);
    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    // A manual delivery joins the log; it succeeds once the dispatcher sends it.
    await until(
      'the redelivery to succeed',
      async () =>
        (await client.get(`/v1/organizations/webhooks/${endpoint.id}/deliveries`)) as {
          data: Array<{ manual: boolean; status: string }>;
        },
      (log) => log.data.some((entry) => entry.manual && entry.status === 'succeeded'),
    );
    await go(page, '#/webhooks');
    await page.getByRole('link', { name: 'CI hook' }).click();
    await page
      .locator('tr.webhook-delivery', { has: page.locator('.badge-manual') })
      .locator('.badge-succeeded')
      .waitFor();

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.locator('.webhook-state .badge-disabled').waitFor();
    assert.equal((await client.beta.organization.webhooks.retrieve(endpoint.id)).state, 'disabled');
  });

  it('shows a deployment, pauses and unpauses it, and runs it now', { timeout: 180_000 }, async (t) => {
    const { client, model, server } = fixture;
    const { page } = browser;
    // Deployments are served only where the build has them (#15): probe before walking the page.
    const probe = await fetch(`${server.url}/v1/deployments`, { headers: { 'x-api-key': TEST_ADMIN_KEY } });
    if (probe.status === 404) {
      t.skip('this build does not serve /v1/deployments');
      return;
    }
    const agent = await client.beta.agents.create({ name: 'Nightly', model: 'claude-sonnet-4-6' });
    const environment = await client.beta.environments.create({
      name: 'deploy-env',
      config: { type: 'cloud', networking: { type: 'unrestricted' } },
    });
    const deployment = await client.beta.deployments.create({
      name: 'Nightly report',
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'NIGHTLY-REPORT' }] }],
      schedule: { type: 'cron', expression: '0 3 * * *', timezone: 'UTC' },
    });
    model.push([{ match: 'NIGHTLY-REPORT', content: [{ type: 'text', text: 'Report written.' }] }]);

    await go(page, '#/deployments');
    await page.getByRole('heading', { name: 'Deployments' }).waitFor();
    await page.locator('tr', { hasText: 'Nightly report' }).getByText('0 3 * * * (UTC)').waitFor();
    await page.getByRole('link', { name: 'Nightly report' }).click();
    await page.getByRole('heading', { name: /Nightly report/ }).waitFor();
    await page.getByText('No runs yet.').waitFor();

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('.deployment-status .badge-paused').waitFor();
    await page.getByText('Paused because').waitFor();
    await page.getByRole('button', { name: 'Unpause' }).click();
    await page.locator('.deployment-status .badge-active').waitFor();

    await page.getByRole('button', { name: 'Run now' }).click();
    const run = page.locator('table.deployment-runs tbody tr').first();
    await run.getByText('manual').waitFor();
    const sessionLink = run.getByRole('link', { name: /^sesn_/ });
    await sessionLink.waitFor();
    const runs = await client.beta.deploymentRuns.list({ deployment_id: deployment.id });
    assert.equal(runs.data.length, 1);
    await sessionLink.click();
    await page.locator('li.event-agent', { hasText: 'Report written.' }).waitFor();
  });
});
