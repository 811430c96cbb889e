import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toFile } from '@anthropic-ai/sdk';
import { setupSkills } from '@anthropic-ai/sdk/tools/agent-toolset/node';
import { DIALECTS } from '../support/databases.js';
import { type EnvironmentKeyResponse, statusOf, waitFor, workerClient } from '../support/self-hosted.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SKILL_MD =
  '---\nname: release-notes\ndescription: Writes release notes from a git log.\n---\n# Notes\n';

/**
 * A self-hosted worker gets the session agent's skills the way the SDK's EnvironmentWorker does
 * (`setupSkills`: versions.retrieve, then versions.download, unzip), with its environment key.
 */
for (const dialect of DIALECTS) {
  describe(`skills for self-hosted workers (${dialect})`, () => {
    let server: TestServer;
    let workdir: string;
    before(async () => {
      server = await startTestServer(dialect);
      workdir = await mkdtemp(join(tmpdir(), 'paddock-skills-worker-'));
    });
    after(async () => {
      await server.close();
      await rm(workdir, { recursive: true, force: true });
    });

    it("the SDK's setupSkills downloads the pinned skill with the environment key", async () => {
      const { client } = server;
      const skill = await client.beta.skills.create({
        files: [
          await toFile(Buffer.from(SKILL_MD), 'release-notes/SKILL.md'),
          await toFile(Buffer.from('git log --oneline\n'), 'release-notes/scripts/log.sh'),
        ],
      });
      const agent = await client.beta.agents.create({
        name: 'worker agent',
        model: 'claude-sonnet-4-6',
        tools: [{ type: 'agent_toolset_20260401' }],
        skills: [{ type: 'custom', skill_id: skill.id }],
      });
      const environment = await client.beta.environments.create({
        name: `worker-skills-${dialect}`,
        config: { type: 'self_hosted' },
      });
      const { key } = await client.post<EnvironmentKeyResponse>(`/v1/environments/${environment.id}/keys`, {
        body: {},
      });
      const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      const worker = workerClient(server.url, key);

      const cleanup = await setupSkills({ workdir, client: worker, session });
      assert.equal(await readFile(join(workdir, 'skills/release-notes/SKILL.md'), 'utf8'), SKILL_MD);
      assert.equal(
        await readFile(join(workdir, 'skills/release-notes/scripts/log.sh'), 'utf8'),
        'git log --oneline\n',
      );
      await cleanup();

      // The key reads; it does not write or list.
      assert.equal(
        await statusOf(worker.beta.skills.versions.retrieve('latest', { skill_id: skill.id })),
        200,
      );
      assert.equal(await statusOf(worker.beta.skills.delete(skill.id)), 403);
      assert.equal(await statusOf(worker.beta.skills.list()), 403);
      assert.equal(
        await statusOf(worker.beta.skills.versions.retrieve('latest', { skill_id: 'skill_missing' })),
        404,
      );

      // A work item's sessions token reads the skills its session's agent uses, and no other.
      const other = await client.beta.skills.create({
        files: [
          await toFile(Buffer.from(SKILL_MD.replace('release-notes', 'other-skill')), 'other-skill/SKILL.md'),
        ],
      });
      const work = await waitFor(
        async () =>
          (await worker.beta.environments.work.poll(environment.id, { block_ms: 900 })) ?? undefined,
        60_000,
      );
      assert.ok(work?.secret, 'the session has a work item');
      const { sessions_token: token } = JSON.parse(Buffer.from(work.secret, 'base64url').toString()) as {
        sessions_token: string;
      };
      const scoped = workerClient(server.url, token);
      const pinned = session.agent.skills[0]?.version ?? '';
      assert.equal(await statusOf(scoped.beta.skills.versions.retrieve(pinned, { skill_id: skill.id })), 200);
      assert.equal(await statusOf(scoped.beta.skills.versions.download(pinned, { skill_id: skill.id })), 200);
      assert.equal(
        await statusOf(scoped.beta.skills.versions.retrieve('latest', { skill_id: other.id })),
        403,
      );
      assert.equal(
        await statusOf(worker.beta.skills.versions.retrieve('latest', { skill_id: other.id })),
        200,
      );
    });
  });
}
