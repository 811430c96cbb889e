import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { BetaInvalidMetadataError } from '@anthropic-ai/sdk/resources/beta/environments/environments';
import { environmentRepositories } from '../../src/core/environments/repositories.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const NO_PACKAGES = { type: 'packages', apt: [], cargo: [], gem: [], go: [], npm: [], pip: [] };

const isBadRequest = (code?: string, pattern?: RegExp) => (error: unknown) =>
  error instanceof Anthropic.BadRequestError &&
  (code === undefined || (error as { errorCode?: string }).errorCode === code) &&
  (pattern === undefined || pattern.test(error.message));

for (const dialect of DIALECTS) {
  describe(`environments over the SDK (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it("creates the guide's python-dev environment and resolves every package list", async () => {
      const environment = await server.client.beta.environments.create({
        name: 'python-dev',
        config: {
          type: 'cloud',
          packages: { pip: ['pytest', 'requests', 'pandas'], apt: ['git', 'curl'] },
          networking: { type: 'unrestricted' },
        },
      });
      assert.match(environment.id, /^env_/);
      assert.equal(environment.type, 'environment');
      assert.equal(environment.description, null);
      assert.equal(environment.archived_at, null);
      assert.deepEqual(environment.config, {
        type: 'cloud',
        networking: { type: 'unrestricted' },
        packages: { ...NO_PACKAGES, pip: ['pytest', 'requests', 'pandas'], apt: ['git', 'curl'] },
      });
      assert.deepEqual(await server.client.beta.environments.retrieve(environment.id), environment);
    });

    it("accepts the guide's github form, keeps it off the wire and hands it to sessions", async () => {
      const environment = await server.client.beta.environments.create({
        name: 'my-repo-env',
        config: {
          type: 'cloud',
          // @ts-expect-error the guide's form, not in the SDK types
          github: { repository: 'myorg/myrepo', branch: 'main' },
          packages: { pip: ['pytest'] },
          networking: { type: 'unrestricted' },
        },
      });
      assert.deepEqual(environment.config, {
        type: 'cloud',
        networking: { type: 'unrestricted' },
        packages: { ...NO_PACKAGES, pip: ['pytest'] },
      });
      assert.ok(!JSON.stringify(environment).includes('myrepo'));
      assert.ok(
        !JSON.stringify(await server.client.beta.environments.retrieve(environment.id)).includes('myrepo'),
      );
      const document = await server.paddock.context.environments.getDocument(environment.id);
      const expected = [
        {
          type: 'github_repository',
          url: 'https://github.com/myorg/myrepo',
          checkout: { type: 'branch', name: 'main' },
          mount_path: '/workspace/myrepo',
        },
      ];
      assert.deepEqual(environmentRepositories(document), expected);
      // An update that leaves config.github out keeps the repository.
      await server.client.beta.environments.update(environment.id, {
        config: { type: 'cloud', packages: { npm: ['typescript'] } },
      });
      const updated = await server.paddock.context.environments.getDocument(environment.id);
      assert.deepEqual(environmentRepositories(updated), expected);
      assert.deepEqual(updated.config.type === 'cloud' && updated.config.packages.pip, ['pytest']);
    });

    it('defaults an omitted config to cloud with unrestricted networking; supports self_hosted', async () => {
      const plain = await server.client.beta.environments.create({ name: 'plain' });
      assert.deepEqual(plain.config, {
        type: 'cloud',
        networking: { type: 'unrestricted' },
        packages: NO_PACKAGES,
      });
      const selfHosted = await server.client.beta.environments.create({
        name: 'workers',
        config: { type: 'self_hosted' },
      });
      assert.deepEqual(selfHosted.config, { type: 'self_hosted' });
      await assert.rejects(
        server.client.beta.environments.update(selfHosted.id, { config: { type: 'cloud' } }),
        isBadRequest('invalid_config_type_change'),
      );
    });

    it('resolves limited networking and requires allow_package_managers for packages', async () => {
      const limited = await server.client.beta.environments.create({
        name: 'locked-down',
        config: { type: 'cloud', networking: { type: 'limited', allowed_hosts: ['api.example.com'] } },
      });
      assert.deepEqual(limited.config.type === 'cloud' && limited.config.networking, {
        type: 'limited',
        allowed_hosts: ['api.example.com'],
        allow_mcp_servers: false,
        allow_package_managers: false,
      });
      await assert.rejects(
        server.client.beta.environments.create({
          name: 'limited-with-packages',
          config: { type: 'cloud', networking: { type: 'limited' }, packages: { pip: ['x'] } },
        }),
        isBadRequest(undefined, /allow_package_managers/),
      );
      await assert.rejects(
        server.client.beta.environments.update(limited.id, {
          config: { type: 'cloud', packages: { npm: ['left-pad'] } },
        }),
        isBadRequest(undefined, /allow_package_managers/),
      );
      const allowed = await server.client.beta.environments.update(limited.id, {
        config: {
          type: 'cloud',
          networking: { type: 'limited', allow_package_managers: true },
          packages: { npm: ['left-pad'] },
        },
      });
      assert.deepEqual(allowed.config.type === 'cloud' && allowed.config.networking, {
        type: 'limited',
        allowed_hosts: ['api.example.com'],
        allow_mcp_servers: false,
        allow_package_managers: true,
      });
    });

    it('updates name, description and metadata as a patch where "" deletes', async () => {
      const environment = await server.client.beta.environments.create({
        name: 'meta',
        description: 'first',
        metadata: { team: 'core', tier: 'gold', keep: 'yes' },
      });
      const updated = await server.client.beta.environments.update(environment.id, {
        name: 'meta-renamed',
        metadata: { team: '', tier: null, added: 'new' },
      });
      assert.equal(updated.name, 'meta-renamed');
      assert.equal(updated.description, 'first');
      assert.deepEqual(updated.metadata, { keep: 'yes', added: 'new' });
      assert.deepEqual(updated.config, environment.config);
      const cleared = await server.client.beta.environments.update(environment.id, { description: null });
      assert.equal(cleared.description, null);
    });

    it('accepts duplicate names (as the hosted API does) and refuses archived updates with environment_archived', async () => {
      const first = await server.client.beta.environments.create({ name: 'shared-name' });
      const second = await server.client.beta.environments.create({ name: 'shared-name' });
      assert.notEqual(first.id, second.id);
      const other = await server.client.beta.environments.create({ name: 'other-name' });
      const renamed = await server.client.beta.environments.update(other.id, { name: 'shared-name' });
      assert.equal(renamed.name, 'shared-name');
      const archived = await server.client.beta.environments.archive(first.id);
      assert.ok(archived.archived_at);
      await assert.rejects(
        server.client.beta.environments.update(first.id, { description: 'x' }),
        isBadRequest('environment_archived'),
      );
    });

    it('deletes, then 404s with environment_not_found', async () => {
      const environment = await server.client.beta.environments.create({ name: 'doomed' });
      assert.deepEqual(await server.client.beta.environments.delete(environment.id), {
        id: environment.id,
        type: 'environment_deleted',
      });
      await assert.rejects(
        server.client.beta.environments.retrieve(environment.id),
        (error: unknown) =>
          error instanceof Anthropic.NotFoundError &&
          (error as { errorCode?: string }).errorCode === 'environment_not_found',
      );
      await assert.rejects(
        server.client.beta.environments.delete(environment.id),
        (error: unknown) => error instanceof Anthropic.NotFoundError,
      );
    });

    it('answers bad metadata with invalid_metadata (the SDK raises BetaInvalidMetadataError)', async () => {
      const tooLong = { key: 'x'.repeat(600) };
      for (const attempt of [
        () => server.client.beta.environments.create({ name: 'meta-bad', metadata: tooLong }),
        () =>
          server.client.beta.environments.create({ name: 'meta-bad', metadata: { 'paddock.bogus': '1' } }),
        () => server.client.beta.agents.create({ name: 'meta-bad', model: 'm', metadata: tooLong }),
      ]) {
        await assert.rejects(attempt(), (error: unknown) => {
          assert.ok(error instanceof BetaInvalidMetadataError, String(error));
          assert.match(error.message, /metadata/);
          return true;
        });
      }
    });

    it('names the offending field in 400s', async () => {
      await assert.rejects(
        server.client.beta.environments.create({ name: 'bad', config: { type: 'moon' } } as never),
        isBadRequest(undefined, /config/),
      );
      await assert.rejects(
        server.client.beta.environments.create({
          name: 'bad',
          config: { type: 'cloud', packages: { brew: ['x'] } },
        } as never),
        isBadRequest(undefined, /brew/),
      );
      await assert.rejects(
        server.client.beta.environments.create({ name: '' }),
        isBadRequest(undefined, /name/),
      );
    });

    it('lists through more than two pages and hides archived environments', async () => {
      const created = [];
      for (let i = 0; i < 7; i++)
        created.push(await server.client.beta.environments.create({ name: `page-${i}` }));
      await server.client.beta.environments.archive(created[0]!.id);
      const seen = new Set<string>();
      let pages = 0;
      for await (const page of (await server.client.beta.environments.list({ limit: 2 })).iterPages()) {
        pages += 1;
        for (const environment of page.data) {
          seen.add(environment.id);
          assert.ok(!('_repositories' in environment));
        }
      }
      assert.ok(pages > 2);
      assert.ok(!seen.has(created[0]!.id));
      assert.ok(seen.has(created[6]!.id));
      const withArchived = [];
      for await (const environment of server.client.beta.environments.list({ include_archived: true }))
        withArchived.push(environment.id);
      assert.ok(withArchived.includes(created[0]!.id));
    });
  });
}
