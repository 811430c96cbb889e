import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { all, errorCode, failure, errorMessage as message } from '../support/sdk-results.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createTenant } from '../support/tenancy.js';
import { testCa } from '../support/test-ca.js';

for (const dialect of DIALECTS) {
  describe(`tunnels over the SDK (${dialect})`, () => {
    let server: TestServer;
    let tunnels: Anthropic['beta']['tunnels'];
    before(async () => {
      server = await startTestServer(dialect);
      tunnels = server.client.beta.tunnels;
    });
    after(async () => server.close());

    it('creates, retrieves, lists (newest first) and archives tunnels; each gets a domain of its own', async () => {
      const first = await tunnels.create({ display_name: 'Office network' });
      const second = await tunnels.create({});
      assert.match(first.id, /^tnl_/);
      assert.equal(first.type, 'tunnel');
      assert.equal(first.display_name, 'Office network');
      assert.equal(second.display_name, null);
      assert.equal(first.archived_at, null);
      assert.match(first.domain, /^[a-z2-7]{20}\.tunnels\.paddock\.internal$/);
      assert.notEqual(first.domain, second.domain);
      assert.deepEqual(await tunnels.retrieve(first.id), first);
      const listed = await all(tunnels.list());
      assert.deepEqual(
        listed.filter((t) => t.id === first.id || t.id === second.id).map((t) => t.id),
        [second.id, first.id],
      );
      const archived = await tunnels.archive(first.id);
      assert.ok(archived.archived_at);
      assert.equal(archived.domain, first.domain);
      assert.deepEqual(
        await tunnels.archive(first.id),
        archived,
        'archiving again returns the record unchanged',
      );
      assert.ok(!(await all(tunnels.list())).some((t) => t.id === first.id));
      assert.ok((await all(tunnels.list({ include_archived: true }))).some((t) => t.id === first.id));
      const missing = await failure(tunnels.retrieve('tnl_missing'));
      assert.equal(missing.status, 404);
    });

    it('refuses bad input with a 400 naming the field', async () => {
      const empty = await failure(tunnels.create({ display_name: '' }));
      assert.equal(empty.status, 400);
      assert.match(message(empty), /display_name/);
      const long = await failure(tunnels.create({ display_name: 'x'.repeat(256) }));
      assert.match(message(long), /display_name/);
      const unknown = await failure(tunnels.create({ domain: 'mine.example' } as never));
      assert.match(message(unknown), /domain/);
      const tunnel = await tunnels.create({});
      const reason = await failure(tunnels.rotateToken(tunnel.id, { reason: 'r'.repeat(1025) }));
      assert.match(message(reason), /reason/);
    });

    it('reveals the same token until it is rotated; the token is stored sealed; archiving invalidates it', async () => {
      const tunnel = await tunnels.create({ display_name: 'tokens' });
      const revealed = await tunnels.revealToken(tunnel.id);
      assert.equal(revealed.type, 'tunnel_token');
      assert.match(revealed.id, /^tnltok_/);
      assert.match(revealed.tunnel_token, /^ptnl_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(await tunnels.revealToken(tunnel.id), revealed);
      // At rest: sealed in the secrets table, nowhere in the tunnel's document.
      const sealed = await server.paddock.store.secrets.get(tunnel.id);
      assert.ok(sealed && !sealed.includes(revealed.tunnel_token));
      const record = await server.paddock.store.resources.get('tunnel', tunnel.id);
      assert.ok(!JSON.stringify(record).includes(revealed.tunnel_token));

      const rotated = await tunnels.rotateToken(tunnel.id, { reason: 'laptop lost' });
      assert.notEqual(rotated.id, revealed.id);
      assert.notEqual(rotated.tunnel_token, revealed.tunnel_token);
      assert.deepEqual(await tunnels.revealToken(tunnel.id), rotated);
      const wire = JSON.stringify(await tunnels.retrieve(tunnel.id));
      assert.ok(
        !wire.includes(rotated.tunnel_token) && !wire.includes(rotated.id) && !wire.includes('token_id'),
      );

      // The rotation and its reason are in the audit log; no token value is.
      const audit = await server.client.get<{ data: Array<Record<string, unknown>> }>(
        '/v1/organizations/audit_log',
      );
      const rotation = audit.data.find(
        (entry) =>
          entry['action'] === 'tunnel.token_rotated' && (entry['target'] as { id: string }).id === tunnel.id,
      );
      assert.ok(rotation, 'a tunnel.token_rotated entry');
      assert.equal((rotation['details'] as Record<string, unknown>)['reason'], 'laptop lost');
      assert.ok(!JSON.stringify(audit).includes(rotated.tunnel_token));

      await tunnels.archive(tunnel.id);
      assert.equal(await server.paddock.store.secrets.get(tunnel.id), undefined);
      for (const attempt of [
        () => tunnels.revealToken(tunnel.id),
        () => tunnels.rotateToken(tunnel.id, {}),
      ]) {
        const refused = await failure(attempt());
        assert.equal(refused.status, 400);
        assert.equal(errorCode(refused), 'tunnel_archived');
      }
    });

    it('registers CA certificates: fingerprint and expiry read from the certificate, at most two active', async () => {
      const tunnel = await tunnels.create({ display_name: 'certs' });
      const certificates = tunnels.certificates;
      const ca1 = testCa({ name: 'ca one', validDays: 90 });
      const created = await certificates.create(tunnel.id, { ca_certificate_pem: ca1.cert });
      const x509 = new X509Certificate(ca1.cert);
      assert.match(created.id, /^tcrt_/);
      assert.equal(created.type, 'tunnel_certificate');
      assert.equal(created.tunnel_id, tunnel.id);
      assert.equal(created.fingerprint, x509.fingerprint256.replaceAll(':', '').toLowerCase());
      assert.match(created.fingerprint, /^[0-9a-f]{64}$/);
      assert.equal(created.expires_at, new Date(x509.validTo).toISOString());
      assert.equal(created.archived_at, null);
      assert.deepEqual(await certificates.retrieve(created.id, { tunnel_id: tunnel.id }), created);

      const duplicate = await failure(certificates.create(tunnel.id, { ca_certificate_pem: ca1.cert }));
      assert.equal(duplicate.status, 409);
      assert.equal((duplicate.error as { error: { type: string } }).error.type, 'conflict_error');

      const second = await certificates.create(tunnel.id, { ca_certificate_pem: testCa().cert });
      const third = await failure(certificates.create(tunnel.id, { ca_certificate_pem: testCa().cert }));
      assert.ok(third instanceof Anthropic.ConflictError);
      assert.equal(errorCode(third), 'tunnel_certificate_limit');

      const archived = await certificates.archive(created.id, { tunnel_id: tunnel.id });
      assert.ok(archived.archived_at);
      assert.deepEqual(await certificates.archive(created.id, { tunnel_id: tunnel.id }), archived);
      const replacement = await certificates.create(tunnel.id, { ca_certificate_pem: testCa().cert });
      const active = await all(certificates.list(tunnel.id));
      assert.deepEqual(active.map((c) => c.id).sort(), [second.id, replacement.id].sort());
      const everything = await all(certificates.list(tunnel.id, { include_archived: true }));
      assert.equal(everything.length, 3);

      // A certificate is read only through its own tunnel.
      const other = await tunnels.create({});
      const elsewhere = await failure(certificates.retrieve(second.id, { tunnel_id: other.id }));
      assert.equal(elsewhere.status, 404);

      // Archiving the tunnel archives its certificates and takes no new ones.
      await tunnels.archive(tunnel.id);
      assert.deepEqual(await all(certificates.list(tunnel.id)), []);
      const closed = await failure(certificates.create(tunnel.id, { ca_certificate_pem: testCa().cert }));
      assert.equal(errorCode(closed), 'tunnel_archived');
    });

    it('refuses what is not one valid, unexpired CA certificate without key material, naming the field', async () => {
      const tunnel = await tunnels.create({});
      const ca = testCa();
      const cases: Array<[string, string, RegExp]> = [
        ['garbage', 'hello', /exactly one PEM/],
        ['two certificates', `${ca.cert}\n${testCa().cert}`, /exactly one PEM/],
        ['a private key', `${ca.cert}\n${ca.key}`, /private-key/],
        [
          'a broken certificate',
          '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
          /not a valid X\.509/,
        ],
        ['not a CA', testCa({ ca: false }).cert, /not a CA certificate/],
        ['expired', testCa({ validDays: -1 }).cert, /expired/],
        ['over 8 KB', `${ca.cert}${' '.repeat(8 * 1024)}`, /8192 bytes/],
      ];
      for (const [what, pem, expected] of cases) {
        const refused = await failure(tunnels.certificates.create(tunnel.id, { ca_certificate_pem: pem }));
        assert.equal(refused.status, 400, what);
        assert.match(message(refused), /^ca_certificate_pem: /, what);
        assert.match(message(refused), expected, what);
      }
      const missing = await failure(tunnels.certificates.create(tunnel.id, {} as never));
      assert.match(message(missing), /ca_certificate_pem/);
      assert.deepEqual(await all(tunnels.certificates.list(tunnel.id, { include_archived: true })), []);
    });

    it("is scoped to the workspace: another workspace's key reads a tunnel like a missing one", async () => {
      const team = await createTenant(server, 'tunnel-team');
      const theirs = await team.client.beta.tunnels.create({ display_name: 'theirs' });
      await team.client.beta.tunnels.certificates.create(theirs.id, { ca_certificate_pem: testCa().cert });
      const mine = await tunnels.create({ display_name: 'mine' });
      const other = await createTenant(server, 'tunnel-other');
      const foreign = other.client.beta.tunnels;
      for (const attempt of [
        () => foreign.retrieve(theirs.id),
        () => foreign.revealToken(theirs.id),
        () => foreign.rotateToken(theirs.id, {}),
        () => foreign.archive(theirs.id),
        () => foreign.certificates.list(theirs.id),
        () => foreign.certificates.create(theirs.id, { ca_certificate_pem: testCa().cert }),
      ]) {
        assert.equal((await failure(attempt())).status, 404);
      }
      assert.equal((await team.client.beta.tunnels.retrieve(theirs.id)).archived_at, null);
      // The tenant's own tunnels (createTenant makes one too), never another workspace's.
      const listed = await all(team.client.beta.tunnels.list());
      assert.ok(listed.some((t) => t.id === theirs.id));
      assert.ok(listed.every((t) => t.id === theirs.id || t.id === team.tunnel));
      assert.ok(!listed.some((t) => t.id === mine.id));
    });
  });
}
