import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface TestCertificate {
  cert: string;
  key: string;
}

const DAY = 86_400_000;

function keyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/**
 * A CA certificate made on the spot (so it never expires under a test), or with `ca: false`
 * a plain self-signed certificate; `validDays` may be negative for one already expired.
 */
export function testCa(options: { name?: string; ca?: boolean; validDays?: number } = {}): TestCertificate {
  const { privateKey, publicKey } = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `0${Math.floor(Math.random() * 1e9).toString(16)}`;
  const validDays = options.validDays ?? 30;
  cert.validity.notBefore = new Date(Date.now() - DAY + Math.min(0, validDays) * DAY);
  cert.validity.notAfter = new Date(Date.now() + validDays * DAY);
  const subject = [{ name: 'commonName', value: options.name ?? 'paddock test CA' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([{ name: 'basicConstraints', cA: options.ca ?? true }]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

/** A server certificate for `names`, signed by `ca`. */
export function testServerCert(ca: TestCertificate, names: string[]): TestCertificate {
  const { privateKey, publicKey } = keyPair();
  const issuer = forge.pki.certificateFromPem(ca.cert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `0${Math.floor(Math.random() * 1e9).toString(16)}`;
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY);
  cert.setSubject([{ name: 'commonName', value: names[0] ?? 'server' }]);
  cert.setIssuer(issuer.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}
