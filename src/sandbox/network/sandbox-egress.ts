import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxSpec } from '../../core/ports/sandbox.js';
import { EgressPolicy } from './egress-policy.js';
import { type EgressNet, EgressProxy } from './egress-proxy.js';
import type { NatLink } from './nat-link.js';
import { SANDBOX_PROXY_PORT, startForwarder } from './netns-forwarder.js';
import type { NetnsRef } from './netns-ref.js';
import type { SandboxNat } from './sandbox-nat.js';
import { placeholderEnv, secretEgress } from './secret-egress.js';

/** Root-only and short: unix socket paths are limited to 108 bytes, data dirs are not. */
const SOCKET_DIR = '/run/paddock-egress';
const PROXY_URL = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`;

/** A sandbox's way out: proxy variables for its processes, and the relay (and NAT link) to start once it runs. */
export interface SandboxEgress {
  env: Record<string, string>;
  /** Host files bound read-only into the sandbox: host path, sandbox path. */
  binds: Array<[string, string]>;
  /** Starts the relay (and, for `unrestricted`, the NAT link) inside the running sandbox's network namespace. */
  attach(netns: NetnsRef): Promise<void>;
  close(): Promise<void>;
}

export interface EgressOptions {
  dataDir: string;
  allowPrivateNetworks: boolean;
  /** Test-only: resolve and dial without real DNS or real addresses. */
  net?: EgressNet | undefined;
  /** NAT for `unrestricted` sandboxes; undefined where the host cannot do it (proxy only). */
  nat?: SandboxNat | undefined;
  /** Root filesystem layers, top first (for the CA bundle of sandboxes with secrets). */
  rootfsLayers?: string[] | undefined;
  /** PEM certificates trusted for upstream servers of intercepted TLS (PADDOCK_EGRESS_EXTRA_CA_FILE). */
  extraCa?: string | undefined;
  log: (message: string) => void;
}

/**
 * Both policies get the proxy (HTTP_PROXY and friends): `limited` to its
 * allow-list, `unrestricted` to any public address. `unrestricted` also gets
 * NAT (any protocol, public addresses only; nat-rules.ts) where the host can
 * do it. A `limited` sandbox has no route at all: the proxy is its only way
 * out. Undefined means no network at all (the sandbox keeps only its private
 * loopback): servers not running as root; a sandbox with secrets then gets
 * only their placeholders. Secrets are substituted by the proxy
 * (secret-egress.ts), so only for traffic that goes through it.
 */
export async function sandboxEgress(
  spec: SandboxSpec,
  options: EgressOptions,
): Promise<SandboxEgress | undefined> {
  if (process.getuid?.() !== 0) {
    options.log(
      `paddock: session ${spec.sessionId}: no sandbox network (the egress relay needs a root server)`,
    );
    const env = placeholderEnv(spec.secrets);
    if (Object.keys(env).length === 0) return undefined;
    return { env, binds: [], attach: async () => {}, close: async () => {} };
  }
  await mkdir(SOCKET_DIR, { recursive: true, mode: 0o700 });
  const name = createHash('sha256')
    .update(`${options.dataDir}\0${spec.sessionId}`)
    .digest('hex')
    .slice(0, 24);
  const secrets = await secretEgress(spec.secrets, {
    dataDir: options.dataDir,
    rootfsLayers: options.rootfsLayers ?? [],
    extraCa: options.extraCa,
    log: options.log,
  });
  const proxy = await EgressProxy.listen(join(SOCKET_DIR, `${name}.sock`), {
    policy: new EgressPolicy(spec.network),
    allowPrivateNetworks: options.allowPrivateNetworks,
    net: options.net,
    log: options.log,
    secrets: spec.secrets,
    interceptor: secrets.interceptor,
  });
  let relay: { stop(): void } | undefined;
  let link: NatLink | undefined;
  const nat = spec.network.type === 'unrestricted' ? options.nat : undefined;
  return {
    binds: [...(nat ? [[nat.resolvConf, '/etc/resolv.conf'] as [string, string]] : []), ...secrets.binds],
    env: {
      ...secrets.env,
      http_proxy: PROXY_URL,
      https_proxy: PROXY_URL,
      HTTP_PROXY: PROXY_URL,
      HTTPS_PROXY: PROXY_URL,
      no_proxy: 'localhost,127.0.0.1,::1',
      NO_PROXY: 'localhost,127.0.0.1,::1',
    },
    async attach(netns) {
      // Independent: the relay listens on the sandbox's loopback, the link adds its eth0.
      const [started, linked] = await Promise.allSettled([
        startForwarder(netns, proxy.socketPath),
        nat?.attach(netns),
      ]);
      // Kept even when the other one failed, so close() (the caller's cleanup) ends it.
      if (started.status === 'fulfilled') relay = started.value;
      if (linked.status === 'fulfilled') link = linked.value;
      for (const outcome of [started, linked]) if (outcome.status === 'rejected') throw outcome.reason;
    },
    async close() {
      relay?.stop();
      await link?.release();
      await proxy.close();
    },
  };
}
