import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { unzipSync, zipSync } from 'fflate';
import { DIALECTS } from '../support/databases.js';
import { all } from '../support/sdk-results.js';
import { startTestServer, type TestServer } from '../support/server.js';

const LIMITS = { maxBytes: 64 * 1024, maxFiles: 10 };

const skillMd = (name: string, description: string) =>
  `---\nname: ${name}\ndescription: ${description}\n---\n\n# ${name}\n\nRun scripts/run.sh.\n`;

/** Files the way the SDK's callers send them: each a File named by its path in the skill. */
const files = (entries: Record<string, string | Uint8Array>) =>
  Promise.all(
    Object.entries(entries).map(([path, content]) =>
      toFile(typeof content === 'string' ? Buffer.from(content) : content, path),
    ),
  );

/** The error body's message, as the server wrote it (a 400 only). */
function wireMessage(error: unknown): string {
  if (!(error instanceof Anthropic.BadRequestError)) return '';
  const body = error.error as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? '';
}

for (const dialect of DIALECTS) {
  describe(`skills over the SDK (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { skills: LIMITS });
    });
    after(async () => server.close());

    it('uploads a skill, adds a version, resolves latest, downloads and deletes by the rules', async () => {
      const skills = server.client.beta.skills;
      const skill = await skills.create({
        files: await files({
          'pdf-helper/SKILL.md': skillMd('pdf-helper', 'Fills PDF forms. Use for any PDF task.'),
          'pdf-helper/scripts/run.sh': 'echo filled\n',
        }),
      });
      assert.match(skill.id, /^skill_/);
      assert.equal(skill.type, 'skill');
      assert.equal(skill.display_name, 'pdf-helper');
      assert.deepEqual(skill.source, { type: 'custom' });
      assert.match(skill.latest_version_id, /^skillver_/);
      assert.deepEqual(await skills.retrieve(skill.id), skill);

      const first = await skills.versions.retrieve('latest', { skill_id: skill.id });
      assert.equal(first.id, skill.latest_version_id);
      assert.equal(first.name, 'pdf-helper');
      assert.equal(first.description, 'Fills PDF forms. Use for any PDF task.');

      const second = await skills.versions.create(skill.id, {
        files: await files({ 'renamed-dir/SKILL.md': skillMd('pdf-helper', 'Second version.') }),
      });
      assert.equal(second.skill_id, skill.id);
      assert.equal(second.description, 'Second version.');
      assert.equal((await skills.retrieve(skill.id)).latest_version_id, second.id);
      assert.equal((await skills.versions.retrieve('latest', { skill_id: skill.id })).id, second.id);
      assert.deepEqual(
        (await all(skills.versions.list(skill.id))).map((version) => version.id).sort(),
        [first.id, second.id].sort(),
      );
      // A skill's name never changes.
      await assert.rejects(
        skills.versions.create(skill.id, {
          files: await files({ 'x/SKILL.md': skillMd('other-name', 'd') }),
        }),
        /differs from this skill's name/,
      );

      const response = await skills.versions.download(first.id, { skill_id: skill.id });
      assert.equal(response.headers.get('content-type'), 'application/zip');
      const archive = unzipSync(new Uint8Array(await response.arrayBuffer()));
      assert.deepEqual(Object.keys(archive).sort(), ['pdf-helper/SKILL.md', 'pdf-helper/scripts/run.sh']);
      assert.equal(Buffer.from(archive['pdf-helper/scripts/run.sh'] ?? []).toString(), 'echo filled\n');

      // Deleting the latest makes the previous one latest; the last one stays.
      assert.deepEqual(await skills.versions.delete(second.id, { skill_id: skill.id }), {
        id: second.id,
        type: 'skill_version_deleted',
      });
      assert.equal((await skills.retrieve(skill.id)).latest_version_id, first.id);
      await assert.rejects(
        skills.versions.delete(first.id, { skill_id: skill.id }),
        (error: unknown) => error instanceof Anthropic.BadRequestError && /only version/.test(error.message),
      );
      await assert.rejects(
        skills.versions.retrieve(second.id, { skill_id: skill.id }),
        Anthropic.NotFoundError,
      );

      assert.ok((await all(skills.list())).some((each) => each.id === skill.id));
      assert.equal((await all(skills.list({ source: 'anthropic' }))).length, 0);
      assert.deepEqual(await skills.delete(skill.id), { id: skill.id, type: 'skill_deleted' });
      await assert.rejects(skills.retrieve(skill.id), Anthropic.NotFoundError);
      await assert.rejects(
        skills.versions.retrieve(first.id, { skill_id: skill.id }),
        Anthropic.NotFoundError,
      );
    });

    it('takes display_name and a single zip of the tree', async () => {
      const zip = zipSync({ 'zipped/SKILL.md': Buffer.from(skillMd('zipped', 'From a zip.')) });
      const skill = await server.client.beta.skills.create({
        display_name: 'Zipped skill',
        files: [await toFile(Buffer.from(zip), 'zipped.zip')],
      });
      assert.equal(skill.display_name, 'Zipped skill');
      const version = await server.client.beta.skills.versions.retrieve('latest', { skill_id: skill.id });
      assert.equal(version.name, 'zipped');
    });

    it('refuses each bad bundle with a 400 naming the problem', async () => {
      const good = skillMd('good-skill', 'Fine.');
      const cases: Array<[string, Record<string, string | Uint8Array>, RegExp]> = [
        ['no SKILL.md', { 'a/README.md': 'hi' }, /no SKILL\.md/],
        ['no front matter', { 'a/SKILL.md': '# Just markdown\n' }, /no YAML front matter/],
        ['bad YAML', { 'a/SKILL.md': '---\nname: [unclosed\ndescription: x\n---\n' }, /not valid YAML/],
        ['front matter not a mapping', { 'a/SKILL.md': '---\n- a\n---\n' }, /YAML mapping/],
        ['no description', { 'a/SKILL.md': '---\nname: a\n---\n' }, /description/],
        ['bad name', { 'a/SKILL.md': skillMd('Bad Name', 'd') }, /name "Bad Name"/],
        ['reserved name', { 'a/SKILL.md': skillMd('claude-helper', 'd') }, /reserved word/],
        ['two top-level directories', { 'a/SKILL.md': good, 'b/x.md': 'x' }, /one top-level directory/],
        ['a file at the top', { 'SKILL.md': good }, /not inside a top-level directory/],
        [
          'path traversal',
          { 'a/SKILL.md': good, 'a/../../etc/passwd': 'x' },
          /"\." and "\.\." path segments/,
        ],
        ['absolute path', { '/etc/SKILL.md': good }, /absolute paths/],
        [
          'too large',
          { 'a/SKILL.md': good, 'a/big.bin': new Uint8Array(LIMITS.maxBytes + 1) },
          /larger than/,
        ],
        [
          'too many files',
          Object.fromEntries(
            [['a/SKILL.md', good], ...Array.from({ length: 10 }, (_, i) => [`a/f${i}.txt`, 'x'])].map(
              ([path, content]) => [path, content],
            ),
          ) as Record<string, string>,
          /more than 10 files/,
        ],
        [
          'a zip bomb',
          { 'bomb.zip': zipSync({ 'a/SKILL.md': Buffer.from(good), 'a/zeros': new Uint8Array(10_000_000) }) },
          /expands to more than/,
        ],
        [
          'a broken zip',
          { 'x.zip': new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]) },
          /not a readable zip/,
        ],
      ];
      for (const [label, entries, expected] of cases) {
        await assert.rejects(
          server.client.beta.skills.create({ files: await files(entries) }),
          (error: unknown) => {
            const message = wireMessage(error);
            return message.startsWith('files: ') && expected.test(message);
          },
          label,
        );
      }
      assert.equal((await all(server.client.beta.skills.list())).length, 1, 'nothing bad was stored');
    });

    it("checks an agent's skills and pins latest when a session starts", async () => {
      const client = server.client;
      await assert.rejects(
        client.beta.agents.create({
          name: 'a',
          model: 'claude-sonnet-4-6',
          skills: [{ type: 'custom', skill_id: 'skill_doesnotexist' }],
        }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError && /skills\[0\]\.skill_id/.test(error.message),
      );
      await assert.rejects(
        client.beta.agents.create({
          name: 'a',
          model: 'claude-sonnet-4-6',
          skills: [{ type: 'anthropic', skill_id: 'xlsx' }],
        }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError &&
          /skills\[0\]: Anthropic pre-built/.test(error.message),
      );
      const skill = await client.beta.skills.create({
        files: await files({ 'pinned/SKILL.md': skillMd('pinned', 'Pinned at session start.') }),
      });
      const agent = await client.beta.agents.create({
        name: 'with skill',
        model: 'claude-sonnet-4-6',
        skills: [{ type: 'custom', skill_id: skill.id }],
      });
      assert.deepEqual(agent.skills, [{ type: 'custom', skill_id: skill.id, version: 'latest' }]);
      await assert.rejects(
        client.beta.agents.update(agent.id, {
          version: agent.version,
          skills: [{ type: 'custom', skill_id: skill.id, version: 'skillver_nope' }],
        }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError && /skills\[0\]\.version/.test(error.message),
      );
      const environment = await client.beta.environments.create({ name: `skills-${dialect}` });
      const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      assert.deepEqual(session.agent.skills, [
        { type: 'custom', skill_id: skill.id, version: skill.latest_version_id },
      ]);
      // A new version does not change what the running session pinned.
      await client.beta.skills.versions.create(skill.id, {
        files: await files({ 'pinned/SKILL.md': skillMd('pinned', 'Newer.') }),
      });
      const again = await client.beta.sessions.retrieve(session.id);
      assert.equal(again.agent.skills[0]?.version, skill.latest_version_id);
    });
  });
}
