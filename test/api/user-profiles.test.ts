import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { all, errorCode, failure, errorMessage as message } from '../support/sdk-results.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';
import { call, createTenant } from '../support/tenancy.js';

/** The current (non-legacy) form: what a caller adding the user-profiles-2026-09-04 beta gets. */
const CURRENT = { betas: ['user-profiles-2026-09-04'] };

for (const dialect of DIALECTS) {
  describe(`user profiles over the SDK (${dialect})`, () => {
    let server: TestServer;
    let profiles: Anthropic['beta']['userProfiles'];
    before(async () => {
      server = await startTestServer(dialect);
      profiles = server.client.beta.userProfiles;
    });
    after(async () => server.close());

    it('creates, retrieves, updates (metadata merged, "" removes) and deletes a profile in the current form', async () => {
      const created = await profiles.create({
        ...CURRENT,
        name: 'Ada Lovelace',
        metadata: { plan: 'pro', region: 'eu' },
        external_user_details: { reference_id: 'user-42', country: 'GB', entity_type: 'individual' },
      });
      assert.match(created.id, /^uprof_/);
      assert.equal(created.type, 'user_profile');
      assert.equal(created.access_type, 'application');
      assert.deepEqual(created.trust_grants, {});
      assert.deepEqual(created.external_user_details, {
        account_status: null,
        country: 'GB',
        email_hash: null,
        entity_type: 'individual',
        name_hash: null,
        onboarded_at: null,
        reference_id: 'user-42',
      });
      assert.ok(!('external_id' in created));
      assert.deepEqual(await profiles.retrieve(created.id, CURRENT), created);

      const updated = await profiles.update(created.id, {
        ...CURRENT,
        metadata: { plan: 'team', region: '' },
        access_type: 'passthrough',
        external_user_details: { account_status: 'suspended', onboarded_at: '2026-01-02T03:04:05Z' },
      });
      assert.deepEqual(updated.metadata, { plan: 'team' });
      assert.equal(updated.access_type, 'passthrough');
      assert.equal(updated.name, 'Ada Lovelace');
      assert.equal(updated.external_user_details?.account_status, 'suspended');
      assert.equal(updated.external_user_details?.reference_id, 'user-42');
      assert.equal(updated.external_user_details?.onboarded_at, '2026-01-02T03:04:05.000Z');
      assert.ok(updated.updated_at >= created.updated_at);

      const cleared = await failure(
        profiles.update(created.id, { ...CURRENT, external_user_details: { country: null } }),
      );
      assert.equal(cleared.status, 400);
      assert.match(message(cleared), /external_user_details\.country/);

      const deleted = await profiles.delete(created.id);
      assert.deepEqual(deleted, { id: created.id, type: 'user_profile_deleted' });
      assert.equal((await failure(profiles.retrieve(created.id))).status, 404);
    });

    it('speaks the legacy form the SDK asks for by default (user-profiles-2026-08-18)', async () => {
      const created = await profiles.create({
        external_id: 'legacy-7',
        external_user_onboarded_at: '2025-05-06T07:08:09Z',
        name: 'Legacy',
      });
      assert.equal(created.external_id, 'legacy-7');
      assert.equal(created.external_user_onboarded_at, '2025-05-06T07:08:09.000Z');
      assert.ok(!('external_user_details' in created));
      const current = await profiles.retrieve(created.id, CURRENT);
      assert.equal(current.external_user_details?.reference_id, 'legacy-7');
      const cleared = await profiles.update(created.id, { external_id: null });
      assert.equal(cleared.external_id, null);

      const legacyInCurrent = await failure(profiles.create({ ...CURRENT, external_id: 'x' }));
      assert.match(message(legacyInCurrent), /^external_id: /);
      const currentInLegacy = await failure(
        profiles.create({ external_user_details: { reference_id: 'x' } }),
      );
      assert.match(message(currentInLegacy), /^external_user_details: /);
    });

    it('refuses bad input with a 400 naming the field; bad metadata carries invalid_metadata', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ name: 'n'.repeat(256) }, /^name: /],
        [{ access_type: 'reseller' }, /^access_type: /],
        [{ external_user_details: { country: 'gb' } }, /^external_user_details\.country: /],
        [{ external_user_details: { email_hash: '' } }, /^external_user_details\.email_hash: /],
        [{ external_user_details: { onboarded_at: '2026-01-02' } }, /^external_user_details\.onboarded_at: /],
        [{ external_user_details: { onboarded_at: '2999-01-01T00:00:00Z' } }, /1 minute in the future/],
        [{ nickname: 'x' }, /nickname/],
      ];
      for (const [body, expected] of cases) {
        const refused = await failure(profiles.create({ ...CURRENT, ...body }));
        assert.equal(refused.status, 400, JSON.stringify(body));
        assert.match(message(refused), expected, JSON.stringify(body));
      }
      const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
      for (const metadata of [tooMany, { k: '' }, { ['k'.repeat(65)]: 'v' }]) {
        const refused = await failure(profiles.create({ ...CURRENT, metadata }));
        assert.ok(refused instanceof Anthropic.BadRequestError);
        assert.equal(errorCode(refused), 'invalid_metadata');
      }
    });

    it('lists newest first by default, by name either way (case-insensitive, unnamed last), across pages', async () => {
      const team = await createTenant(server, 'profiles-list');
      const mine = team.client.beta.userProfiles;
      // createTenant makes a profile of its own: start from an empty workspace.
      await mine.delete(team.userProfile);
      const made: Anthropic.Beta.UserProfiles.BetaUserProfile[] = [];
      for (const name of ['bravo', 'Alpha', null, 'charlie']) made.push(await mine.create({ name }));
      const newestFirst = await all(mine.list({ limit: 3 }));
      assert.deepEqual(
        newestFirst.map((p) => p.id),
        [...made].reverse().map((p) => p.id),
      );
      const oldestFirst = await all(mine.list({ order: 'asc', limit: 2 }));
      assert.deepEqual(
        oldestFirst.map((p) => p.id),
        made.map((p) => p.id),
      );
      const byName = await all(mine.list({ order_by: 'name', order: 'asc', limit: 1 }));
      assert.deepEqual(
        byName.map((p) => p.name),
        ['Alpha', 'bravo', 'charlie', null],
      );
      const byNameDesc = await all(mine.list({ order_by: 'name', limit: 10 }));
      assert.deepEqual(
        byNameDesc.map((p) => p.name),
        ['charlie', 'bravo', 'Alpha', null],
      );
      const firstPage = await mine.list({ limit: 2 });
      assert.equal(firstPage.data.length, 2);
      assert.ok(firstPage.next_page);
      const bad = await failure(mine.list({ page: 'nope' }));
      assert.match(message(bad), /^page: /);
      // Another workspace sees none of them, and reads their ids as missing.
      const other = (await createTenant(server, 'profiles-other')).client.beta.userProfiles;
      const theirs = await all(other.list({ limit: 100 }));
      assert.ok(!theirs.some((p) => made.some((m) => m.id === p.id)));
      const id = made[0]?.id ?? '';
      for (const attempt of [
        () => other.retrieve(id),
        () => other.update(id, { name: 'x' }),
        () => other.delete(id),
        () => other.createEnrollmentURL(id),
        () => other.actionURLs.create(id, { action: { type: 'enroll_end_user' } }),
      ])
        assert.equal((await failure(attempt())).status, 404);
      assert.equal((await mine.retrieve(id)).name, 'bravo');
    });

    it('enrollment and action URLs are served by Paddock until they expire, and say nothing is granted', async () => {
      const profile = await profiles.create({ name: 'Grace <Hopper>' });
      const enrollment = await profiles.createEnrollmentURL(profile.id);
      assert.equal(enrollment.type, 'enrollment_url');
      assert.ok(enrollment.url.startsWith(`${server.url}/user_profiles/enroll/`), enrollment.url);
      const ttl = Date.parse(enrollment.expires_at) - Date.now();
      assert.ok(ttl > 50 * 60_000 && ttl <= 60 * 60_000, `expires in ${ttl} ms`);
      const action = await profiles.actionURLs.create(profile.id, { action: { type: 'enroll_end_user' } });
      assert.equal(action.type, 'user_profile_action_url');

      for (const url of [enrollment.url, action.url]) {
        // No credential: the URL is the credential.
        const page = await fetch(url);
        assert.equal(page.status, 200);
        assert.match(page.headers.get('content-type') ?? '', /text\/html/);
        const html = await page.text();
        assert.match(html, /Grace &#60;Hopper&#62;/);
        assert.match(html, /no enrollment programs/);
      }
      const tampered = await fetch(`${enrollment.url.slice(0, -3)}abc`);
      assert.equal(tampered.status, 404);
      const wrongAction = await failure(
        profiles.actionURLs.create(profile.id, { action: { type: 'delete_everything' } } as never),
      );
      assert.match(message(wrongAction), /^action\.type: /);

      // Deleting the profile ends its links.
      await profiles.delete(profile.id);
      assert.equal((await fetch(enrollment.url)).status, 404);
      // Nothing under /v1 is served without a key.
      const anonymous = await call(server, 'not-a-key', 'GET', '/v1/user_profiles', undefined);
      assert.equal(anonymous.status, 401);
      assert.ok(TEST_ADMIN_KEY);
    });
  });
}
