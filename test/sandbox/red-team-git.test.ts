import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { PaddockConfig } from '../../src/config/config.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { bwrapCase } from './drivers.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';

/**
 * Issue #12, finding 4, through the public API: with a file:// PADDOCK_GITHUB_BASE_URL, a
 * `github_repository` URL whose path percent-encodes `../` made the host's git clone a
 * repository outside the base. sessions.create now refuses any URL that is not
 * `owner/name(.git)` of safe characters, and a failed clone shows no host path in events.
 */
const bwrap = await bwrapCase();
const skip = bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'runs the bwrap driver as root');

describe('red team: github_repository URLs stay inside PADDOCK_GITHUB_BASE_URL', { skip }, () => {
  let git: GitFixture;
  let fixture: HarnessFixture;
  let config: PaddockConfig;
  let outside = '';

  before(async () => {
    git = await createGitFixture();
    // A repository next to the base directory, which only `..` could reach.
    outside = await mkdtemp(join(dirname(git.dir), 'paddock-outside-'));
    await mkdir(join(outside, 'victim.git'));
    execFileSync('git', ['init', '--quiet', '--bare', join(outside, 'victim.git')]);
    const created = await bwrap.create({ env: { PADDOCK_GITHUB_BASE_URL: git.baseUrl } });
    config = created.config;
    fixture = await startHarnessFixture('sqlite', [], { sandboxes: created.driver });
  });
  after(async () => {
    await fixture?.close();
    for (const dir of [git?.dir, outside, config?.dataDir])
      if (dir) await rm(dir, { recursive: true, force: true });
  });

  const session = async (url: string) => {
    const { client } = fixture;
    const agent = await client.beta.agents.create({
      name: 'git red team',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401' }],
    });
    const environment = await client.beta.environments.create({
      name: `git-${Math.random().toString(36).slice(2)}`,
      config: { type: 'cloud', networking: { type: 'limited' } },
    });
    return client.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      resources: [{ type: 'github_repository', url }],
    });
  };

  it('refuses escaping or malformed repository URLs with a 400 naming the field', async () => {
    for (const url of [
      `https://github.com/%2e%2e%2f${basename(outside)}/victim.git`,
      `https://github.com/..%2f${basename(outside)}/victim.git`,
      'https://github.com/octo%2fhello/x',
      'https://github.com/octo/hello/extra',
      'https://github.com/octo/..',
      'https://github.com/octo/.git',
      'https://github.com/octo',
      'https://github.com/oc to/hello',
    ]) {
      await assert.rejects(session(url), (error: unknown) => {
        assert.ok(error instanceof Anthropic.BadRequestError, `${url}: ${String(error)}`);
        assert.match(error.message, /resources\[0\]\.url/, url);
        return true;
      });
    }
    // The real ones still work, with or without .git and a trailing slash.
    for (const url of ['https://github.com/octo/hello.git', 'https://github.com/octo/hello/'])
      assert.match((await session(url)).id, /^sesn_/);
  });

  it('a failed clone puts no host path in any event', async () => {
    const created = await session('https://github.com/octo/missing');
    fixture.model.push([
      { content: [{ type: 'tool_use', name: 'bash', input: { command: 'ls /workspace' } }] },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    const stream = await openEventReader(fixture.client, created.id);
    await fixture.client.beta.sessions.events.send(created.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'look' }] }],
    });
    await stream.until(isIdle, 300_000);
    stream.close();
    const events = [];
    for await (const event of fixture.client.beta.sessions.events.list(created.id)) events.push(event);
    const text = JSON.stringify(events);
    assert.match(text, /cannot provision repository https:\/\/github\.com\/octo\/missing/);
    for (const hostPath of [git.dir, config.dataDir, dirname(git.dir)])
      assert.ok(!text.includes(hostPath), `an event names ${hostPath}: ${text}`);
  });
});
