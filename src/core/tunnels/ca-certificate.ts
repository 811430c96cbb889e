import { X509Certificate } from 'node:crypto';
import { invalidRequest } from '../errors.js';
import { MAX_CERTIFICATE_PEM_BYTES } from './tunnel.js';

export interface ParsedCaCertificate {
  /** The one certificate, re-encoded as PEM (what TLS is given as a trust anchor). */
  pem: string;
  fingerprint: string;
  expiresAt: string;
}

const FIELD = 'ca_certificate_pem';
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Checks a tunnel's CA certificate as the hosted API states the rule: PEM, exactly one X.509
 * certificate, no private-key material, at most 8 KB. Beyond that, because Paddock uses the
 * certificate as the only trust anchor for the tunnel's TLS: it must be a CA (basicConstraints
 * CA:TRUE) and not yet expired. Every refusal is a 400 naming the field.
 */
export function parseCaCertificate(text: string, now: Date): ParsedCaCertificate {
  if (Buffer.byteLength(text, 'utf8') > MAX_CERTIFICATE_PEM_BYTES)
    throw invalidRequest(`${FIELD}: at most ${MAX_CERTIFICATE_PEM_BYTES} bytes`);
  const blocks = [...text.matchAll(BLOCK)];
  if (blocks.some((block) => (block[1] ?? '').includes('PRIVATE KEY')))
    throw invalidRequest(`${FIELD}: must not contain private-key material`);
  const certificates = blocks.filter((block) => block[1] === 'CERTIFICATE');
  if (certificates.length !== 1 || blocks.length !== 1)
    throw invalidRequest(
      `${FIELD}: must hold exactly one PEM "CERTIFICATE" block (found ${certificates.length} certificate(s) in ${blocks.length} block(s))`,
    );
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificates[0]![0]);
  } catch {
    throw invalidRequest(`${FIELD}: not a valid X.509 certificate`);
  }
  if (!certificate.ca)
    throw invalidRequest(`${FIELD}: not a CA certificate (its basicConstraints do not say CA:TRUE)`);
  const expiresAt = new Date(certificate.validTo);
  if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now.getTime())
    throw invalidRequest(`${FIELD}: the certificate expired at ${certificate.validTo}`);
  return {
    pem: certificate.toString(),
    fingerprint: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    expiresAt: expiresAt.toISOString(),
  };
}
