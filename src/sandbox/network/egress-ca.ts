import { generateKeyPair, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import forge from 'node-forge';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Leaves live 30 days and are re-issued after 7, so a long-lived proxy never serves an expired one. */
const LEAF_VALID_MS = 30 * DAY_MS;
const LEAF_REISSUE_MS = 7 * DAY_MS;
const MAX_CACHED_LEAVES = 1000;

const generateRsa = promisify(generateKeyPair);

/**
 * The Paddock egress CA: made once per data directory (`egress-ca/ca.pem`,
 * key and certificate, mode 0600) and reused, so a sandbox that stored the
 * CA keeps trusting it. It issues leaf certificates, cached in memory per
 * host, for TLS interception toward sandboxes (docs/decisions/0008).
 */
export class EgressCa {
  private readonly leaves = new Map<string, { context: SecureContext; issuedAt: number }>();
  private leafKey: Promise<{ privatePem: string; publicPem: string }> | undefined;

  private constructor(
    private readonly caKey: forge.pki.rsa.PrivateKey,
    private readonly caCert: forge.pki.Certificate,
    /** The CA certificate (PEM), to install in sandboxes. */
    readonly certPem: string,
  ) {}

  /** Loads `<dir>/ca.pem`, creating it first when missing (atomically: concurrent servers agree on one CA). */
  static async load(dir: string): Promise<EgressCa> {
    const path = join(dir, 'ca.pem');
    let pem = await readFile(path, 'utf8').catch(() => undefined);
    if (pem === undefined) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(temporary, await createCaPem(), { mode: 0o600 });
      // link() fails if another process made one first: then theirs is the CA.
      await link(temporary, path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      await rm(temporary, { force: true });
      pem = await readFile(path, 'utf8');
    }
    const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
    if (!certPem) throw new Error(`${path} holds no certificate`);
    return new EgressCa(
      forge.pki.privateKeyFromPem(pem),
      forge.pki.certificateFromPem(certPem),
      `${certPem}\n`,
    );
  }

  /** A TLS context presenting a certificate for `host` signed by this CA. */
  async contextFor(host: string): Promise<SecureContext> {
    const name = host.toLowerCase();
    const cached = this.leaves.get(name);
    if (cached && Date.now() - cached.issuedAt < LEAF_REISSUE_MS) return cached.context;
    // One key for every leaf: generating RSA per host would cost ~100 ms per new host.
    this.leafKey ??= generateRsa('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }).then(({ privateKey, publicKey }) => ({ privatePem: privateKey, publicPem: publicKey }));
    const key = await this.leafKey;
    const context = createSecureContext({ key: key.privatePem, cert: this.issueLeaf(name, key.publicPem) });
    if (this.leaves.size >= MAX_CACHED_LEAVES) this.leaves.delete(this.leaves.keys().next().value ?? '');
    this.leaves.set(name, { context, issuedAt: Date.now() });
    return context;
  }

  private issueLeaf(host: string, publicPem: string): string {
    const now = Date.now();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
    cert.serialNumber = serialNumber();
    cert.validity.notBefore = new Date(now - DAY_MS);
    cert.validity.notAfter = new Date(now + LEAF_VALID_MS);
    // A CN is at most 64 characters; the name that clients check is the subjectAltName.
    cert.setSubject(host.length <= 64 ? [{ name: 'commonName', value: host }] : []);
    cert.setIssuer(this.caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [isIP(host) ? { type: 7, ip: host } : { type: 2, value: host }] },
      { name: 'subjectKeyIdentifier' },
      {
        name: 'authorityKeyIdentifier',
        keyIdentifier: this.caCert.generateSubjectKeyIdentifier().getBytes(),
      },
    ]);
    cert.sign(this.caKey, forge.md.sha256.create());
    return forge.pki.certificateToPem(cert);
  }
}

async function createCaPem(): Promise<string> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const now = Date.now();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + 10 * 365 * DAY_MS);
  const subject = [
    { name: 'organizationName', value: 'Paddock' },
    { name: 'commonName', value: `Paddock egress CA ${randomBytes(4).toString('hex')}` },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return `${privateKey}${forge.pki.certificateToPem(cert)}`;
}

/** 16 random bytes, positive (DER integers are signed). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}
