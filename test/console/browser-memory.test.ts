import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelUsage } from '../../src/core/events/session-event.js';
import { signedInConsoleSuite } from '../support/console-browser-suite.js';
import { createSession } from '../support/harness-fixture.js';
import { browserSuiteOptions, go } from './browser.js';

/** Polls until `check` holds (a busy CI machine: generous deadline). */
async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const GRADER_USAGE: ModelUsage = {
  input_tokens: 900,
  output_tokens: 40,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

/**
 * The console's memory pages in Debian's Chromium: the stores list, a store browsed by path
 * prefix, a memory with its versions (a redacted one shown as such), the dreams list, and an
 * outcome's verdicts as cards in a session's timeline. Any page or console error fails the test.
 */
describe('console in Chromium: memory stores, dreams and outcome verdicts', browserSuiteOptions(), () => {
  const suite = signedInConsoleSuite();

  it('browses a store by prefix, shows a memory and its versions, redacted ones as such', {
    timeout: 120_000,
  }, async () => {
    const { client } = suite.fixture;
    const { page } = suite.browser;
    const memories = client.beta.memoryStores.memories;
    const store = await client.beta.memoryStores.create({
      name: 'Team notes',
      description: 'What we learned',
    });
    await memories.create(store.id, { path: '/prefs/editor.md', content: 'Uses vim.' });
    await memories.create(store.id, { path: '/notes/archive/old.md', content: 'Old news.' });
    const note = await memories.create(store.id, { path: '/notes/a.md', content: 'SECRET-FIRST-DRAFT' });
    await memories.update(note.id, { memory_store_id: store.id, content: 'Deploy on Mondays.' });
    await client.beta.memoryStores.memoryVersions.redact(note.memory_version_id, {
      memory_store_id: store.id,
    });

    await go(page, '#/memory_stores');
    await page.getByRole('heading', { name: 'Memory stores' }).waitFor();
    await page.getByRole('link', { name: 'Team notes' }).click();
    await page.getByRole('heading', { name: /Team notes/ }).waitFor();
    await page.getByText('What we learned').waitFor();
    await page.locator('tr.memory-prefix', { hasText: '/prefs/' }).waitFor();
    await page.getByRole('link', { name: '/notes/', exact: true }).click();
    await page.locator('tr.memory-prefix', { hasText: '/notes/archive/' }).waitFor();
    assert.equal(await page.locator('tr.memory-row').count(), 1, 'only /notes/a.md directly under /notes/');
    await page.getByRole('link', { name: '/notes/a.md' }).click();

    await page.locator('pre.memory-content', { hasText: 'Deploy on Mondays.' }).waitFor();
    const versions = page.locator('li.memory-version');
    await versions.nth(1).waitFor();
    assert.equal(await versions.count(), 2);
    const redacted = page.locator('li.memory-version.redacted');
    await redacted.locator('.badge-redacted').waitFor();
    await redacted.getByText(/Content redacted/).waitFor();
    assert.equal(
      await page.getByText('SECRET-FIRST-DRAFT').count(),
      0,
      'redacted content is nowhere on the page',
    );
    await page.locator('li.memory-version', { hasText: 'modified' }).locator('summary').click();
    await page.locator('li.memory-version pre', { hasText: 'Deploy on Mondays.' }).waitFor();
    // The breadcrumb leads back up to the folder.
    await page.locator('.memory-path').getByRole('link', { name: 'notes/' }).click();
    await page.locator('tr.memory-prefix', { hasText: '/notes/archive/' }).waitFor();
  });

  it('lists dreams with their status and output store', { timeout: 120_000 }, async () => {
    const { client, model } = suite.fixture;
    const { page } = suite.browser;
    const store = await client.beta.memoryStores.create({ name: 'Dream input' });
    await client.beta.memoryStores.memories.create(store.id, { path: '/a.md', content: 'one' });
    const { session } = await createSession(client);
    model.push([
      {
        match: 'console-dream',
        content: [
          {
            type: 'tool_use',
            name: 'write_memories',
            input: { memories: [{ path: '/a.md', content: 'two' }] },
          },
        ],
      },
    ]);
    const created = await client.beta.dreams.create({
      inputs: [
        { type: 'memory_store', memory_store_id: store.id },
        { type: 'sessions', session_ids: [session.id] },
      ],
      model: 'claude-sonnet-4-6',
      instructions: 'console-dream',
    });
    const dream = await until(
      'the dream to complete',
      () => client.beta.dreams.retrieve(created.id),
      (current) => current.status === 'completed' || current.status === 'failed',
    );
    assert.equal(dream.status, 'completed', JSON.stringify(dream.error));
    const output = dream.outputs[0]?.memory_store_id ?? '';

    await go(page, '#/dreams');
    await page.getByRole('heading', { name: 'Dreams' }).waitFor();
    const row = page.locator('tr', { hasText: dream.id });
    await row.locator('.badge-completed').waitFor();
    await row.getByText('+ 1 session').waitFor();
    await row.getByRole('link', { name: output }).click();
    await page.getByRole('heading', { name: /Dream input \(dream/ }).waitFor();
    await page.getByRole('link', { name: '/a.md' }).waitFor();
  });

  it("shows an outcome's verdicts as cards in the session timeline", { timeout: 120_000 }, async () => {
    const { client, server } = suite.fixture;
    const { page } = suite.browser;
    const { session } = await createSession(client);
    const events = server.paddock.context.events;
    const outcomeId = 'outc_console';
    // The log is the truth: the timeline renders whatever it holds, here a revision and a pass.
    const [, firstStart] = await events.append(session.id, [
      {
        type: 'user.define_outcome',
        outcome_id: outcomeId,
        description: 'A haiku about tides',
        rubric: { type: 'text', content: 'Three lines, **5-7-5**.' },
        max_iterations: 3,
      },
      { type: 'span.outcome_evaluation_start', outcome_id: outcomeId, iteration: 0 },
    ]);
    const [, secondStart] = await events.append(session.id, [
      {
        type: 'span.outcome_evaluation_end',
        outcome_evaluation_start_id: firstStart?.id ?? '',
        outcome_id: outcomeId,
        iteration: 0,
        result: 'needs_revision',
        explanation: 'The second line has *six* syllables.',
        usage: GRADER_USAGE,
      },
      { type: 'span.outcome_evaluation_start', outcome_id: outcomeId, iteration: 1 },
    ]);
    await events.append(session.id, [
      {
        type: 'span.outcome_evaluation_end',
        outcome_evaluation_start_id: secondStart?.id ?? '',
        outcome_id: outcomeId,
        iteration: 1,
        result: 'satisfied',
        explanation: 'Meets the rubric.',
        usage: GRADER_USAGE,
      },
    ]);

    await go(page, `#/sessions/${session.id}`);
    await page.locator('li.event-outcome', { hasText: 'A haiku about tides' }).waitFor();
    const revision = page.locator('li.event-verdict.verdict-needs_revision');
    await revision.locator('.badge-verdict-needs_revision', { hasText: 'Needs revision' }).waitFor();
    await revision.locator('em', { hasText: 'six' }).waitFor();
    await revision.getByText('iteration 1').waitFor();
    await revision.getByText(/Grader: in 900 \/ out 40 tokens/).waitFor();
    const pass = page.locator('li.event-verdict.verdict-satisfied');
    await pass.locator('.badge-verdict-satisfied', { hasText: 'Satisfied' }).waitFor();
    await pass.getByText('iteration 2').waitFor();
    await page.locator('li.event-span', { hasText: 'Grading the outcome · iteration 2' }).waitFor();
  });
});
