import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxSecret } from '../../core/ports/sandbox.js';
import type { EgressCa } from './egress-ca.js';
import type { TlsInterceptor } from './tls-interceptor.js';

/** The sandbox's system CA bundle (Debian's path, which curl, OpenSSL, Go and git read by default). */
export const SANDBOX_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/**
 * Host copies of the combined bundles. They hold only public certificates, and
 * must be readable by the unprivileged sandbox uid that bwrap binds them as
 * (the data directory may not be), so they live in a world-readable directory.
 * A non-root server's sandbox runs as the server's own uid, so it uses a
 * directory of its own instead (`bundleDir`).
 */
const BUNDLE_DIR = '/run/paddock-egress-ca';

/** What a sandbox with `environment_variable` secrets gets on top of plain egress. */
export interface SecretEgress {
  /** `NAME=placeholder` for each secret, and CA bundle variables for common clients. */
  env: Record<string, string>;
  /** The combined CA bundle, bound read-only over the system one: host path, sandbox path. */
  binds: Array<[string, string]>;
  interceptor: TlsInterceptor | undefined;
}

export interface SecretEgressOptions {
  dataDir: string;
  /** Where the combined bundles are written; default /run/paddock-egress-ca (root servers). */
  bundleDir?: string | undefined;
  /** Root filesystem layers, top first: the first one holding a CA bundle is the sandbox's own. */
  rootfsLayers: string[];
  /** PEM certificates the proxy trusts for upstream servers, besides Node's (PADDOCK_EGRESS_EXTRA_CA_FILE). */
  extraCa?: string | undefined;
  log?: ((message: string) => void) | undefined;
}

/** `NAME=placeholder` for each secret: all the sandbox ever sees of one. */
export function placeholderEnv(secrets: readonly SandboxSecret[] | undefined): Record<string, string> {
  return Object.fromEntries((secrets ?? []).map((secret) => [secret.name, secret.placeholder]));
}

/**
 * Sets up substitution for a sandbox's secrets: placeholders in its
 * environment, and the Paddock egress CA in its trust store so the proxy can
 * intercept TLS to the secrets' hosts. A sandbox without secrets pays nothing.
 */
export async function secretEgress(
  secrets: readonly SandboxSecret[] | undefined,
  options: SecretEgressOptions,
): Promise<SecretEgress> {
  if (!secrets || secrets.length === 0) return { env: {}, binds: [], interceptor: undefined };
  const ca = await loadCa(join(options.dataDir, 'egress-ca'));
  const bundle = await writeBundle(
    options.bundleDir ?? BUNDLE_DIR,
    `${(await systemBundle(options.rootfsLayers)).trimEnd()}\n${ca.certPem}`,
  );
  return {
    env: {
      ...placeholderEnv(secrets),
      // Clients that do not read the system bundle by default.
      NODE_EXTRA_CA_CERTS: SANDBOX_CA_BUNDLE,
      SSL_CERT_FILE: SANDBOX_CA_BUNDLE,
      REQUESTS_CA_BUNDLE: SANDBOX_CA_BUNDLE,
      CURL_CA_BUNDLE: SANDBOX_CA_BUNDLE,
      PIP_CERT: SANDBOX_CA_BUNDLE,
    },
    binds: [[bundle, SANDBOX_CA_BUNDLE]],
    interceptor: new (await import('./tls-interceptor.js')).TlsInterceptor(ca, {
      extraCa: options.extraCa,
      log: options.log,
    }),
  };
}

/** One CA (and one leaf cache) per data directory per process. */
const authorities = new Map<string, Promise<EgressCa>>();

function loadCa(dir: string): Promise<EgressCa> {
  let ca = authorities.get(dir);
  if (!ca) {
    // Loaded on first use: servers whose sessions have no secrets never load the certificate code.
    ca = import('./egress-ca.js').then(({ EgressCa }) => EgressCa.load(dir));
    authorities.set(dir, ca);
    ca.catch(() => authorities.delete(dir));
  }
  return ca;
}

async function systemBundle(layers: string[]): Promise<string> {
  for (const layer of layers) {
    const text = await readFile(join(layer, SANDBOX_CA_BUNDLE), 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return '';
}

/** Content-addressed, so sandboxes (and servers) with the same bundle share one file. */
async function writeBundle(dir: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  const path = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 32)}.crt`);
  const exists = await readFile(path, 'utf8').then(
    (current) => current === text,
    () => false,
  );
  if (!exists) {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, text);
    await chmod(temporary, 0o644);
    await rename(temporary, path);
  }
  return path;
}
