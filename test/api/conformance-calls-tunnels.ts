import type Anthropic from '@anthropic-ai/sdk';
import { testCa } from '../support/test-ca.js';
import type { Call } from './conformance-calls.js';

/** Conformance builders for client.beta.tunnels and client.beta.userProfiles (docs/tunnels.md, docs/user-profiles.md). */
export const TUNNEL_AND_PROFILE_CALLS: Record<string, Call> = {
  'beta.tunnels.create': ({ client }) => client.beta.tunnels.create({ display_name: 'conformance' }),
  'beta.tunnels.retrieve': async ({ client }) => client.beta.tunnels.retrieve((await newTunnel(client)).id),
  'beta.tunnels.list': async ({ client }) => {
    await newTunnel(client);
    return client.beta.tunnels.list();
  },
  'beta.tunnels.archive': async ({ client }) => client.beta.tunnels.archive((await newTunnel(client)).id),
  'beta.tunnels.revealToken': async ({ client }) =>
    client.beta.tunnels.revealToken((await newTunnel(client)).id),
  'beta.tunnels.rotateToken': async ({ client }) =>
    client.beta.tunnels.rotateToken((await newTunnel(client)).id, { reason: 'conformance' }),
  'beta.tunnels.certificates.create': async ({ client }) =>
    client.beta.tunnels.certificates.create((await newTunnel(client)).id, {
      ca_certificate_pem: testCa().cert,
    }),
  'beta.tunnels.certificates.retrieve': async ({ client }) => {
    const certificate = await newCertificate(client);
    return client.beta.tunnels.certificates.retrieve(certificate.id, { tunnel_id: certificate.tunnel_id });
  },
  'beta.tunnels.certificates.list': async ({ client }) =>
    client.beta.tunnels.certificates.list((await newCertificate(client)).tunnel_id),
  'beta.tunnels.certificates.archive': async ({ client }) => {
    const certificate = await newCertificate(client);
    return client.beta.tunnels.certificates.archive(certificate.id, { tunnel_id: certificate.tunnel_id });
  },
  'beta.userProfiles.create': ({ client }) => client.beta.userProfiles.create({ name: 'conformance' }),
  'beta.userProfiles.retrieve': async ({ client }) =>
    client.beta.userProfiles.retrieve((await newProfile(client)).id),
  'beta.userProfiles.update': async ({ client }) =>
    client.beta.userProfiles.update((await newProfile(client)).id, { metadata: { k: 'v' } }),
  'beta.userProfiles.list': async ({ client }) => {
    await newProfile(client);
    return client.beta.userProfiles.list();
  },
  'beta.userProfiles.delete': async ({ client }) =>
    client.beta.userProfiles.delete((await newProfile(client)).id),
  'beta.userProfiles.createEnrollmentURL': async ({ client }) =>
    client.beta.userProfiles.createEnrollmentURL((await newProfile(client)).id),
  'beta.userProfiles.actionURLs.create': async ({ client }) =>
    client.beta.userProfiles.actionURLs.create((await newProfile(client)).id, {
      action: { type: 'enroll_end_user' },
    }),
};

const newTunnel = (client: Anthropic) => client.beta.tunnels.create({});
const newCertificate = async (client: Anthropic) =>
  client.beta.tunnels.certificates.create((await newTunnel(client)).id, {
    ca_certificate_pem: testCa().cert,
  });
const newProfile = (client: Anthropic) => client.beta.userProfiles.create({ name: 'conformance' });
